import { createRoute, z } from '@hono/zod-openapi';
import { compact } from '../../core/compact.ts';
import { loadEmbedViews } from '../../core/embed-view.ts';
import type { App } from '../app.ts';
import { requireScope } from '../auth.ts';
import { notFound } from '../problem.ts';
import { Article, problemResponses } from '../schemas.ts';

const getArticleRoute = createRoute({
  method: 'get',
  path: '/v1/articles/{id}',
  summary: 'An article with its embed occurrences and embeds',
  middleware: [requireScope('read')] as const,
  request: { params: z.object({ id: z.string().max(64) }) },
  responses: {
    200: { description: 'The article', content: { 'application/json': { schema: Article } } },
    ...problemResponses,
  },
});

export function registerArticleRoutes(app: App) {
  app.openapi(getArticleRoute, async (c) => {
    const deps = c.get('deps');
    const found = await deps.articles.getArticle(c.req.valid('param').id);
    if (!found) throw notFound('no article with this id');
    const { article, items } = found;
    const embedIds = [...new Set(items.map((i) => i.embedId))];
    const embeds = await loadEmbedViews(embedIds, deps, deps.config.publicBaseUrl);
    return c.json(compact({
      id: article.id,
      url: article.url,
      title: article.title,
      htmlSha256: article.htmlSha256,
      createdAt: article.createdAt.toISOString(),
      updatedAt: article.updatedAt.toISOString(),
      items,
      embeds,
    }), 200);
  });
}
