import { parseArgs } from 'node:util';
import { parseConfig, ConfigError, type Config } from './config.ts';
import { InputError } from './core/errors.ts';
import { assertHtml } from './core/ingest.ts';
import { extractEmbeds } from './core/scan-article.ts';
import { parseSubmittedUrl } from './core/submitted-url.ts';
import { createNodeRuntime } from './adapters/node/node-runtime.ts';
import { openDatabase, closeDatabase } from './adapters/node/sqlite-database.ts';
import { CliError, usageError } from './cli/cli-error.ts';
import { keysCommand } from './cli/keys-command.ts';
import { readTextFile } from './cli/read-input.ts';
import { serveCommand, workerCommand } from './cli/serve-command.ts';

const HELP = `embedkeep — keeps the social embeds of articles alive

usage:
  embedkeep serve [--no-worker]            API (and the capture worker) on PORT
  embedkeep worker                         a capture worker alone
  embedkeep extract FILE [--url URL] [--json]
                                          list the embeds of an article (FILE or - for stdin)
  embedkeep keys create --name N [--scopes archive,read,admin] [--json]
  embedkeep keys list | keys revoke ID
  embedkeep migrate                        apply database migrations
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
    case 'serve':
      return serveCommand(args, config());
    case 'worker':
      return workerCommand(args, config());
    case 'extract':
      return extractCommand(args);
    case 'keys': {
      const runtime = await createNodeRuntime(config(), { logger: silentLogger });
      try {
        return await keysCommand(args, runtime.deps.keys, out);
      } finally {
        await runtime.close();
      }
    }
    case 'migrate': {
      const db = openDatabase(config().dataDir);
      closeDatabase(db);
      out('database is up to date');
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

const silentLogger = { debug() {}, info() {}, warn() {}, error() {} };

main(process.argv.slice(2)).catch((error: unknown) => {
  const known = error instanceof CliError || error instanceof ConfigError || error instanceof InputError
    || (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS');
  process.stderr.write(`embedkeep: error: ${known ? (error as Error).message : `unexpected failure: ${(error as Error).stack ?? String(error)}`}\n`);
  process.exitCode = error instanceof CliError ? error.exitCode : known ? 2 : 1;
});
