import { parseArgs } from 'node:util';
import { parseConfig, ConfigError, type Config } from './config.ts';
import { InputError } from './core/errors.ts';
import { assertHtml } from './core/ingest.ts';
import { extractEmbeds } from './core/scan-article.ts';
import { parseSubmittedUrl } from './core/submitted-url.ts';
import { CliError, usageError } from './cli/cli-error.ts';
import { readTextFile } from './cli/read-input.ts';

const HELP = `embedkeep — keeps the social embeds of articles alive

usage:
  embedkeep serve [--no-worker] [--lease-ms N]
                                          API (and the capture worker) on PORT
  embedkeep worker [--lease-ms N]          a capture worker alone
                                          --lease-ms: how long a dead worker's job waits before
                                          another takes it (default 120000; tests shorten it)
  embedkeep archive URL… | --article FILE.html [--url ARTICLE_URL] [--wait] [--timeout S] [--json]
                                          archive posts, images or an article (captures here with --wait)
  embedkeep render FILE.html [--url ARTICLE_URL] [--mode static|enhance]
                                          the article rewritten from the archive, on stdout
  embedkeep extract FILE [--url URL] [--json]
                                          list the embeds of an article (FILE or - for stdin)
  embedkeep keys create --name N [--scopes archive,read,admin] [--json]
  embedkeep keys list | keys revoke ID
  embedkeep migrate                        apply database migrations
  embedkeep backup DIR                     consistent copy of the database and its blobs (service may run)
  embedkeep restore DIR [--force]          a backup into DATA_DIR/SNAPSHOT_DIR (service stopped);
                                          --force replaces a database that holds data
  embedkeep verify                         check blob hashes, blob references and database integrity
  embedkeep help

configuration comes from the environment: PORT, DATA_DIR, SNAPSHOT_DIR, PUBLIC_BASE_URL,
ADMIN_TOKEN, PUBLIC_READS, CHROMIUM_PATH, CAPTURE_CONCURRENCY, UPSTREAM_OVERRIDES, LOG_LEVEL`;

const out = (line: string) => process.stdout.write(`${line}\n`);

async function extractCommand(args: string[]) {
  const { values, positionals } = parseArgs({ args, options: { url: { type: 'string' }, json: { type: 'boolean' } }, allowPositionals: true, strict: true });
  if (positionals.length !== 1) throw usageError('extract needs exactly one FILE (or - for stdin)');
  const html = await readTextFile(positionals[0]!);
  assertHtml(html);
  const base = values.url === undefined ? undefined : parseSubmittedUrl(values.url, '--url').href;
  const embeds = extractEmbeds(html, base);
  if (values.json) {
    // The same body as POST /v1/extract.
    out(JSON.stringify({ embeds }));
    return;
  }
  for (const e of embeds) out(`${e.role.padEnd(6)} ${e.provider.padEnd(8)} ${e.canonicalUrl}${e.fallback?.authorHandle ? `  @${e.fallback.authorHandle}` : ''}`);
  out(`${embeds.length} embed${embeds.length === 1 ? '' : 's'}`);
}

async function main(argv: string[]): Promise<void> {
  const [command, ...args] = argv;
  const config = (): Config => parseConfig(process.env);
  switch (command) {
    // Commands load what they need: the browser and image stacks are slow to import for a quick `extract`.
    case 'serve':
      return (await import('./cli/serve-command.ts')).serveCommand(args, config());
    case 'worker':
      return (await import('./cli/serve-command.ts')).workerCommand(args, config());
    case 'extract':
      return extractCommand(args);
    case 'render':
      return (await import('./cli/render-command.ts')).renderCommand(args, config(), (text) => process.stdout.write(text));
    case 'archive':
      return (await import('./cli/archive-command.ts')).archiveCommand(args, config(), out);
    case 'keys': {
      const { openDatabase, closeDatabase } = await import('./adapters/node/sqlite-database.ts');
      const { SqliteKeyStore } = await import('./adapters/node/sqlite-key-store.ts');
      const { keysCommand } = await import('./cli/keys-command.ts');
      const db = openDatabase(config().dataDir);
      try {
        return await keysCommand(args, new SqliteKeyStore(db, { now: () => new Date() }), out);
      } finally {
        closeDatabase(db);
      }
    }
    case 'backup':
      return (await import('./cli/backup-command.ts')).backupCommand(args, config(), out);
    case 'restore':
      return (await import('./cli/backup-command.ts')).restoreCommand(args, config(), out);
    case 'verify':
      return (await import('./cli/backup-command.ts')).verifyCommand(args, config(), out);
    case 'migrate': {
      const { openDatabase, closeDatabase, migrateDatabase } = await import('./adapters/node/sqlite-database.ts');
      const db = openDatabase(config().dataDir, { migrate: false });
      try {
        const { applied } = migrateDatabase(db);
        out(`applied ${applied} migration${applied === 1 ? '' : 's'}; the database is up to date`);
      } finally {
        closeDatabase(db);
      }
      return;
    }
    case undefined:
    case 'help':
    case '--help':
    case '-h':
      out(HELP);
      return;
    default:
      throw usageError(`unknown command "${command}"`);
  }
}

main(process.argv.slice(2)).catch((error: unknown) => {
  const known = error instanceof CliError || error instanceof ConfigError || error instanceof InputError
    || (error as Error).name === 'DatabaseTooNewError' || (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS');
  process.stderr.write(`embedkeep: error: ${known ? (error as Error).message : `unexpected failure: ${(error as Error).stack ?? String(error)}`}\n`);
  process.exitCode = error instanceof CliError ? error.exitCode : known ? 2 : 1;
});
