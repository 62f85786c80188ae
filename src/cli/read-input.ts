import { readFile } from 'node:fs/promises';
import { CliError } from './cli-error.ts';

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Reads a UTF-8 text file (or stdin for "-"), with errors that name the file. */
export async function readTextFile(path: string): Promise<string> {
  let bytes: Uint8Array;
  try {
    bytes = path === '-' ? await readStdin() : await readFile(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new CliError(code === 'ENOENT' ? `no such file: ${path}` : code === 'EISDIR' ? `is a directory: ${path}` : `cannot read ${path}: ${(error as Error).message}`);
  }
  try {
    return utf8.decode(bytes);
  } catch {
    throw new CliError(`${path} is not valid UTF-8 text`);
  }
}

async function readStdin(): Promise<Uint8Array> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}
