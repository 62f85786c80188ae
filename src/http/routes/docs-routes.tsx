import type { App } from '../app.ts';
import { documentPlainRoutes } from './document-plain-routes.ts';
import { ApiDocsPage, type ApiDoc } from '../views/api-docs-page.tsx';

export const OPENAPI_INFO = {
  title: 'embedkeep API',
  version: '1',
  description: 'Archives the social embeds of articles at publish time and serves them when the originals are gone.',
};

export function registerDocsRoutes(app: App) {
  documentPlainRoutes(app);
  app.openAPIRegistry.registerComponent('securitySchemes', 'bearer', { type: 'http', scheme: 'bearer' });
  const document = () => app.getOpenAPI31Document({ openapi: '3.1.0', info: OPENAPI_INFO, security: [{ bearer: [] }] });
  app.get('/openapi.json', (c) => c.json(document()));
  app.get('/docs', (c) => {
    c.header('content-security-policy', "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'");
    return c.html(<ApiDocsPage document={document() as unknown as ApiDoc} />);
  });
}
