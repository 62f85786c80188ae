import { createHash, randomBytes } from 'node:crypto';
import { mkdir, open, readdir, readFile, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { SHA256_HEX } from '../../core/ids.ts';
import type { BlobStore } from '../../ports.ts';

const TMP_DIR = '.tmp';
/** Past this age a temp file is an orphan whatever its name says: a write takes seconds at most. */
const ORPHAN_AGE_MS = 60 * 60_000;

/**
 * Content-addressed files under `root/ab/cd/<sha256>`. Writes go to a temp file, are fsynced and
 * renamed into place, so a crash never leaves a partial blob under its final name.
 */
export class FsBlobStore implements BlobStore {
  constructor(private readonly root: string) {}

  pathOf(sha256: string): string {
    if (!SHA256_HEX.test(sha256)) throw new Error(`not a sha256: ${sha256.slice(0, 80)}`);
    return join(this.root, sha256.slice(0, 2), sha256.slice(2, 4), sha256);
  }

  async put(bytes: Uint8Array) {
    const sha256 = createHash('sha256').update(bytes).digest('hex');
    const target = this.pathOf(sha256);
    if (await exists(target)) return { sha256, size: bytes.byteLength };
    const tmpDir = join(this.root, TMP_DIR);
    await mkdir(tmpDir, { recursive: true });
    // The writer's pid in the name lets another process sharing the folder tell live writes from orphans.
    const tmp = join(tmpDir, `${sha256}.${process.pid}.${randomBytes(6).toString('hex')}`);
    const handle = await open(tmp, 'wx');
    try {
      await handle.writeFile(bytes);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await mkdir(join(target, '..'), { recursive: true });
    await rename(tmp, target);
    await syncDir(join(target, '..'));
    return { sha256, size: bytes.byteLength };
  }

  async get(sha256: string) {
    if (!SHA256_HEX.test(sha256)) return null;
    try {
      return new Uint8Array(await readFile(this.pathOf(sha256)));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw error;
    }
  }

  async has(sha256: string) {
    return SHA256_HEX.test(sha256) && exists(this.pathOf(sha256));
  }

  async *list(): AsyncIterable<string> {
    for (const a of await readdirOrEmpty(this.root)) {
      if (!/^[0-9a-f]{2}$/.test(a)) continue;
      for (const b of await readdirOrEmpty(join(this.root, a))) {
        for (const name of await readdirOrEmpty(join(this.root, a, b))) {
          if (SHA256_HEX.test(name)) yield name;
        }
      }
    }
  }

  /**
   * Removes temp files left by writes a crash interrupted; run at startup. Files of live writers (other
   * worker processes on the same folder) stay, unless they are too old to be a write in progress.
   */
  async cleanTemp(): Promise<number> {
    const dir = join(this.root, TMP_DIR);
    const orphans: string[] = [];
    for (const name of await readdirOrEmpty(dir)) {
      const pid = Number(/^[0-9a-f]{64}\.(\d+)\./.exec(name)?.[1]);
      if (pid && pid !== process.pid && isRunning(pid) && !(await olderThan(join(dir, name), ORPHAN_AGE_MS))) continue;
      orphans.push(name);
    }
    await Promise.all(orphans.map((n) => rm(join(dir, n), { force: true })));
    return orphans.length;
  }
}

async function exists(path: string) {
  try {
    await stat(path);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw error;
  }
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: alive, but another user's.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function olderThan(path: string, ms: number): Promise<boolean> {
  try {
    return Date.now() - (await stat(path)).mtimeMs > ms;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw error;
  }
}

async function readdirOrEmpty(path: string): Promise<string[]> {
  try {
    return await readdir(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
}

async function syncDir(path: string) {
  const handle = await open(path, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}
