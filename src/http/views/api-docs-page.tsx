import type { FC } from 'hono/jsx';

export type ApiDoc = { info: { title: string; description?: string }; paths?: Record<string, Record<string, Operation> | undefined> };
type Operation = {
  summary?: string;
  description?: string;
  parameters?: Array<{ name: string; in: string; required?: boolean; description?: string }>;
  requestBody?: { content?: Record<string, { schema?: unknown }> };
  responses?: Record<string, { description?: string }>;
};

const METHODS = ['get', 'post', 'put', 'patch', 'delete'] as const;

const schemaName = (schema: unknown) => {
  const ref = (schema as { $ref?: string } | undefined)?.$ref;
  return ref ? ref.split('/').at(-1) : undefined;
};

/** A readable, dependency-free rendering of the OpenAPI document (no CDN assets). */
export const ApiDocsPage: FC<{ document: ApiDoc }> = ({ document }) => (
  <html lang="en">
    <head>
      <meta charset="utf-8" />
      <meta name="viewport" content="width=device-width, initial-scale=1" />
      <title>{document.info.title}</title>
      <style>{`
        :root { color-scheme: light dark; font-family: system-ui, sans-serif; line-height: 1.5; }
        body { max-width: 60rem; margin: 2rem auto; padding: 0 1rem; }
        section { border: 1px solid #8884; border-radius: 8px; padding: .75rem 1rem; margin: 1rem 0; }
        code { font-family: ui-monospace, monospace; }
        .m { display: inline-block; min-width: 4rem; font-weight: 700; text-transform: uppercase; }
        .get { color: #1a7f37; } .post { color: #0969da; }
        table { border-collapse: collapse; } td, th { padding: .15rem .6rem .15rem 0; text-align: left; vertical-align: top; }
      `}</style>
    </head>
    <body>
      <h1>{document.info.title}</h1>
      <p>{document.info.description}</p>
      <p>Machine-readable: <a href="/openapi.json"><code>/openapi.json</code></a> (OpenAPI 3.1). Authenticate with <code>Authorization: Bearer &lt;token&gt;</code>; errors are <code>application/problem+json</code>.</p>
      {Object.entries(document.paths ?? {}).flatMap(([path, item]) => METHODS.filter((m) => item?.[m]).map((m) => {
        const op = item![m]!;
        const body = op.requestBody?.content ? Object.entries(op.requestBody.content) : [];
        return (
          <section id={`${m}-${path}`}>
            <h2><span class={`m ${m}`}>{m}</span> <code>{path}</code></h2>
            {op.summary && <p><strong>{op.summary}</strong></p>}
            {op.description && <p>{op.description}</p>}
            {op.parameters?.length ? (
              <table>
                <tr><th>parameter</th><th>in</th><th></th></tr>
                {op.parameters.map((p) => <tr><td><code>{p.name}</code>{p.required ? ' (required)' : ''}</td><td>{p.in}</td><td>{p.description ?? ''}</td></tr>)}
              </table>
            ) : null}
            {body.map(([type, media]) => <p>Body: <code>{type}</code> {schemaName(media.schema) ? <>— schema <code>{schemaName(media.schema)}</code></> : null}</p>)}
            <table>
              {Object.entries(op.responses ?? {}).map(([status, r]) => <tr><td><code>{status}</code></td><td>{r.description ?? ''}</td></tr>)}
            </table>
          </section>
        );
      }))}
    </body>
  </html>
);
