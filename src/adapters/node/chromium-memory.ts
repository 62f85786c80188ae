import { readdir, readFile } from 'node:fs/promises';

/**
 * Proportional set size, in KiB, of the Chromium processes this process started and all of theirs
 * (browser, GPU, network, renderers). PSS divides each shared page among the processes that map
 * it, so the sum is what the tree really costs; summed RSS would count the shared ones many times.
 * Undefined where /proc does not exist (not Linux): the caller then has no memory bound.
 */
export async function chromiumMemoryKiB(rootPid = process.pid): Promise<number | undefined> {
  let entries: string[];
  try {
    entries = await readdir('/proc');
  } catch {
    return undefined;
  }
  const children = new Map<number, number[]>();
  const names = new Map<number, string>();
  await Promise.all(entries.filter((e) => /^\d+$/.test(e)).map(async (entry) => {
    // A process may exit between readdir and here.
    const stat = await readFile(`/proc/${entry}/stat`, 'utf8').catch(() => undefined);
    if (!stat) return;
    const pid = Number(entry);
    // The name (field 2) may itself hold spaces or parentheses; the fields after the last ")" are fixed.
    const close = stat.lastIndexOf(')');
    const ppid = Number(stat.slice(close + 2).split(' ')[1]);
    names.set(pid, stat.slice(stat.indexOf('(') + 1, close));
    children.set(ppid, [...(children.get(ppid) ?? []), pid]);
  }));
  const tree: number[] = [];
  const queue = (children.get(rootPid) ?? []).filter((pid) => /chrom/i.test(names.get(pid) ?? ''));
  while (queue.length) {
    const pid = queue.pop()!;
    tree.push(pid);
    queue.push(...(children.get(pid) ?? []));
  }
  const sizes = await Promise.all(tree.map(async (pid) => {
    const rollup = await readFile(`/proc/${pid}/smaps_rollup`, 'utf8').catch(() => '');
    return Number(/^Pss:\s+(\d+) kB/m.exec(rollup)?.[1] ?? 0);
  }));
  return sizes.reduce((a, b) => a + b, 0);
}
