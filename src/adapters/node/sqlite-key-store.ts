import { and, asc, eq, isNull } from 'drizzle-orm';
import { compact } from '../../core/compact.ts';
import { apiKeys } from '../../db/schema.ts';
import type { ApiKeyRecord, Clock, KeyStore, Scope } from '../../ports.ts';
import type { Db } from './sqlite-database.ts';

function toRecord(row: typeof apiKeys.$inferSelect): ApiKeyRecord {
  return compact({
    id: row.id,
    name: row.name,
    prefix: row.prefix,
    scopes: row.scopes.split(',').filter(Boolean) as Scope[],
    createdAt: row.createdAt,
    revokedAt: row.revokedAt ?? undefined,
    lastUsedAt: row.lastUsedAt ?? undefined,
  });
}

export class SqliteKeyStore implements KeyStore {
  constructor(private readonly db: Db, private readonly clock: Clock) {}

  async create(key: { id: string; name: string; hash: string; prefix: string; scopes: Scope[] }) {
    const row = this.db.insert(apiKeys).values({
      ...key,
      scopes: key.scopes.join(','),
      createdAt: this.clock.now(),
    }).returning().get();
    return toRecord(row);
  }

  async findByHash(hash: string) {
    const row = this.db.select().from(apiKeys).where(and(eq(apiKeys.hash, hash), isNull(apiKeys.revokedAt))).get();
    return row ? toRecord(row) : null;
  }

  async revoke(id: string) {
    const info = this.db.update(apiKeys).set({ revokedAt: this.clock.now() })
      .where(and(eq(apiKeys.id, id), isNull(apiKeys.revokedAt))).run();
    return info.changes === 1;
  }

  async list() {
    return this.db.select().from(apiKeys).orderBy(asc(apiKeys.createdAt)).all().map(toRecord);
  }
}
