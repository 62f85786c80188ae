import type { WriteStream } from 'node:tty';

/** A progress bar on a terminal; plain lines (one per finished item) when output is not a TTY. */
export function createProgress(stream: NodeJS.WriteStream | WriteStream, total: number) {
  const tty = Boolean(stream.isTTY);
  let last = -1;
  return {
    update(done: number, label?: string) {
      if (done === last) return;
      last = done;
      if (!tty) {
        stream.write(`${done}/${total} done${label ? ` (${label})` : ''}\n`);
        return;
      }
      const width = Math.max(10, Math.min(40, (stream.columns ?? 80) - 30));
      const filled = total === 0 ? width : Math.round((done / total) * width);
      stream.write(`\r[${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${done}/${total} captured`);
    },
    finish() {
      if (tty) stream.write('\n');
    },
  };
}
