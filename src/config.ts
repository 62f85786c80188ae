import { z } from 'zod';

const bool = z.enum(['true', 'false', '1', '0', 'yes', 'no']).transform((v) => v === 'true' || v === '1' || v === 'yes');

const overrides = z.string().transform((raw, ctx) => {
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    ctx.addIssue({ code: 'custom', message: 'must be a JSON object of URL prefix → URL prefix' });
    return z.NEVER;
  }
  const shape = z.record(z.string().url(), z.string().url()).safeParse(parsed);
  if (!shape.success) {
    ctx.addIssue({ code: 'custom', message: 'must map http(s) URL prefixes to http(s) URL prefixes' });
    return z.NEVER;
  }
  return shape.data;
});

const schema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(8787),
  HOST: z.string().min(1).default('127.0.0.1'),
  DATA_DIR: z.string().min(1).default('./data'),
  SNAPSHOT_DIR: z.string().min(1).default('./snapshots'),
  PUBLIC_BASE_URL: z.string().url().optional(),
  ADMIN_TOKEN: z.string().min(16, 'must be at least 16 characters').optional(),
  PUBLIC_READS: bool.default(true),
  AUDIT_CONFIRM_DELAY: z.coerce.number().int().min(0).default(3600),
  CHROMIUM_PATH: z.string().min(1).optional(),
  CAPTURE_CONCURRENCY: z.coerce.number().int().min(1).max(16).default(2),
  UPSTREAM_OVERRIDES: overrides.optional(),
  RATE_LIMIT: z.coerce.number().int().min(0).default(600),
  LOG_LEVEL: z.enum(['debug', 'info', 'warn', 'error', 'silent']).default('info'),
});

export interface Config {
  port: number;
  host: string;
  dataDir: string;
  snapshotDir: string;
  publicBaseUrl: string;
  adminToken?: string;
  publicReads: boolean;
  auditConfirmDelaySeconds: number;
  chromiumPath?: string;
  captureConcurrency: number;
  upstreamOverrides: Record<string, string>;
  logLevel: 'debug' | 'info' | 'warn' | 'error' | 'silent';
  /** Requests per minute per API key (0: no limit); ADMIN_TOKEN is not limited. */
  rateLimitPerMinute: number;
}

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

/** Parses the environment; a bad value is a ConfigError naming the key. Empty strings count as unset. */
export function parseConfig(env: Record<string, string | undefined>): Config {
  const present = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const result = schema.safeParse(present);
  if (!result.success) {
    const lines = result.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
    throw new ConfigError(`invalid configuration — ${lines.join('; ')}`);
  }
  const c = result.data;
  return {
    port: c.PORT,
    host: c.HOST,
    dataDir: c.DATA_DIR,
    snapshotDir: c.SNAPSHOT_DIR,
    publicBaseUrl: (c.PUBLIC_BASE_URL ?? `http://localhost:${c.PORT}`).replace(/\/+$/, ''),
    ...(c.ADMIN_TOKEN ? { adminToken: c.ADMIN_TOKEN } : {}),
    publicReads: c.PUBLIC_READS,
    auditConfirmDelaySeconds: c.AUDIT_CONFIRM_DELAY,
    ...(c.CHROMIUM_PATH ? { chromiumPath: c.CHROMIUM_PATH } : {}),
    captureConcurrency: c.CAPTURE_CONCURRENCY,
    upstreamOverrides: c.UPSTREAM_OVERRIDES ?? {},
    logLevel: c.LOG_LEVEL,
    rateLimitPerMinute: c.RATE_LIMIT,
  };
}
