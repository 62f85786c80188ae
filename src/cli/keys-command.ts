import { parseArgs } from 'node:util';
import { createApiKey } from '../core/api-keys.ts';
import { SCOPES, type KeyStore, type Scope } from '../ports.ts';
import { CliError, usageError } from './cli-error.ts';

/** `embedkeep keys create --name N --scopes a,b | list | revoke ID` */
export async function keysCommand(args: string[], keys: KeyStore, out: (line: string) => void): Promise<void> {
  const [sub, ...rest] = args;
  if (sub === 'create') {
    const { values } = parseArgs({ args: rest, options: { name: { type: 'string' }, scopes: { type: 'string' }, json: { type: 'boolean' } }, strict: true });
    if (!values.name?.trim()) throw usageError('keys create needs --name NAME');
    const scopes = (values.scopes ?? 'archive,read').split(',').map((s) => s.trim()).filter(Boolean);
    const unknown = scopes.filter((s) => !(SCOPES as readonly string[]).includes(s));
    if (unknown.length || scopes.length === 0) throw usageError(`--scopes takes a comma list of ${SCOPES.join(', ')}; got "${values.scopes}"`);
    const { record, secret } = await createApiKey(keys, values.name.trim(), scopes as Scope[]);
    if (values.json) out(JSON.stringify({ id: record.id, name: record.name, scopes: record.scopes, key: secret }));
    else {
      out(`created key ${record.id} "${record.name}" with scopes ${record.scopes.join(',')}`);
      out(`key (shown once, store it now): ${secret}`);
    }
    return;
  }
  if (sub === 'list') {
    for (const k of await keys.list()) {
      out([k.id, k.prefix + '…', k.name, k.scopes.join(','), k.createdAt.toISOString(), k.revokedAt ? `revoked ${k.revokedAt.toISOString()}` : 'active'].join('\t'));
    }
    return;
  }
  if (sub === 'revoke') {
    const id = rest[0];
    if (!id) throw usageError('keys revoke needs a key id');
    if (!(await keys.revoke(id))) throw new CliError(`no active key with id ${id}`);
    out(`revoked ${id}`);
    return;
  }
  throw usageError(`unknown keys subcommand "${sub ?? ''}"; use create, list or revoke`);
}
