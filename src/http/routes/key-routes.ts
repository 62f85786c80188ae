import { createRoute, z } from '@hono/zod-openapi';
import { createApiKey } from '../../core/api-keys.ts';
import { SCOPES, type ApiKeyRecord } from '../../ports.ts';
import type { App } from '../app.ts';
import { requireScope } from '../auth.ts';
import { jsonBody } from '../body.ts';
import { notFound } from '../problem.ts';
import { problemResponses } from '../schemas.ts';

const ApiKey = z.object({
  id: z.string(), name: z.string(), prefix: z.string(), scopes: z.array(z.enum(SCOPES)),
  createdAt: z.string(), revokedAt: z.string().optional(),
}).openapi('ApiKey');

const view = (k: ApiKeyRecord) => ({
  id: k.id, name: k.name, prefix: k.prefix, scopes: k.scopes, createdAt: k.createdAt.toISOString(),
  ...(k.revokedAt ? { revokedAt: k.revokedAt.toISOString() } : {}),
});

const createKeyRoute = createRoute({
  method: 'post',
  path: '/v1/keys',
  summary: 'Create an API key (the secret is in this answer only)',
  middleware: [requireScope('admin'), jsonBody()] as const,
  request: {
    body: {
      required: true,
      content: { 'application/json': { schema: z.object({ name: z.string().trim().min(1).max(100), scopes: z.array(z.enum(SCOPES)).min(1) }).strict() } },
    },
  },
  responses: {
    201: { description: 'Created', content: { 'application/json': { schema: ApiKey.extend({ key: z.string() }) } } },
    ...problemResponses,
  },
});

const listKeysRoute = createRoute({
  method: 'get',
  path: '/v1/keys',
  summary: 'List API keys (never their secrets)',
  middleware: [requireScope('admin')] as const,
  responses: { 200: { description: 'Keys', content: { 'application/json': { schema: z.object({ keys: z.array(ApiKey) }) } } }, ...problemResponses },
});

const revokeKeyRoute = createRoute({
  method: 'delete',
  path: '/v1/keys/{id}',
  summary: 'Revoke an API key',
  middleware: [requireScope('admin')] as const,
  request: { params: z.object({ id: z.string().max(64) }) },
  responses: { 204: { description: 'Revoked' }, ...problemResponses },
});

export function registerKeyRoutes(app: App) {
  app.openapi(createKeyRoute, async (c) => {
    const { name, scopes } = c.req.valid('json');
    const { record, secret } = await createApiKey(c.get('deps').keys, name, scopes);
    return c.json({ ...view(record), key: secret }, 201);
  });
  app.openapi(listKeysRoute, async (c) => c.json({ keys: (await c.get('deps').keys.list()).map(view) }, 200));
  app.openapi(revokeKeyRoute, async (c) => {
    if (!(await c.get('deps').keys.revoke(c.req.valid('param').id))) throw notFound('no active key with this id');
    return c.body(null, 204);
  });
}
