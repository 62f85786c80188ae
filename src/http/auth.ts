import type { MiddlewareHandler } from 'hono';
import { hashKeySecret, timingSafeEqualString } from '../core/api-keys.ts';
import { SCOPES, type Scope } from '../ports.ts';
import type { AppEnv, Principal } from './env.ts';
import { ProblemError } from './problem.ts';

const ALL_SCOPES: ReadonlySet<Scope> = new Set(SCOPES);

async function principalOf(header: string | undefined, deps: AppEnv['Variables']['deps']): Promise<Principal | null> {
  const match = header ? /^Bearer\s+(\S+)\s*$/i.exec(header) : null;
  if (!match) return null;
  const token = match[1]!;
  const admin = deps.config.adminToken;
  if (admin && timingSafeEqualString(token, admin)) return { kind: 'admin', name: 'ADMIN_TOKEN', scopes: ALL_SCOPES };
  // Keys are looked up by their hash: the secret itself is never compared byte by byte.
  const key = await deps.keys.findByHash(await hashKeySecret(token));
  if (!key) return null;
  const scopes = new Set<Scope>(key.scopes.includes('admin') ? SCOPES : key.scopes);
  return { kind: 'key', keyId: key.id, name: key.name, scopes };
}

/** Needs a valid key carrying `scope`; public reads pass without one unless PUBLIC_READS=false. Keys are rate limited. */
export function requireScope(scope: Scope, options: { publicRead?: boolean } = {}): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const deps = c.get('deps');
    if (options.publicRead && deps.config.publicReads) return next();
    const header = c.req.header('authorization');
    const principal = await principalOf(header, deps);
    if (!principal) {
      throw new ProblemError(401, 'unauthorized', 'Unauthorized',
        header ? 'the bearer token is not valid or was revoked' : 'send "Authorization: Bearer <token>"',
        {}, { 'www-authenticate': 'Bearer realm="embedkeep"' });
    }
    if (!principal.scopes.has(scope)) {
      throw new ProblemError(403, 'forbidden', 'Forbidden', `this key lacks the "${scope}" scope`);
    }
    c.set('principal', principal);
    if (principal.keyId) {
      const verdict = c.get('rateLimiter')?.take(principal.keyId, Date.now());
      if (verdict && !verdict.ok) {
        throw new ProblemError(429, 'rate-limited', 'Too many requests',
          `this key is limited to ${deps.config.rateLimitPerMinute} requests a minute`, {}, { 'retry-after': String(verdict.retryAfterSeconds) });
      }
    }
    return next();
  };
}
