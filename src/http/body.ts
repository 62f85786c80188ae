import type { Context, MiddlewareHandler } from 'hono';
import type { AppEnv } from './env.ts';
import { ProblemError } from './problem.ts';

export const MAX_BODY_BYTES = 10 * 1024 * 1024;

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** The whole body as text (the global body limit already capped its size), refusing invalid UTF-8. */
export async function readTextBody(c: Context<AppEnv>): Promise<string> {
  const bytes = new Uint8Array(await c.req.arrayBuffer());
  try {
    return utf8.decode(bytes);
  } catch {
    throw new ProblemError(400, 'invalid-encoding', 'Invalid encoding', 'the request body is not valid UTF-8');
  }
}

// The rest of the body is never read, so the connection cannot carry another request: say so.
export const tooLarge = (limit = MAX_BODY_BYTES) =>
  new ProblemError(413, 'payload-too-large', 'Payload too large', `request bodies are limited to ${limit} bytes`, {}, { connection: 'close' });

/**
 * Parses a JSON body strictly (content type, UTF-8, syntax) before the schema validator sees it,
 * so every malformed body gets a precise problem instead of a generic validation error. The body
 * stays cached on the request for the validator.
 */
export function jsonBody(): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const type = (c.req.header('content-type') ?? '').split(';')[0]!.trim().toLowerCase();
    if (!/^application\/([\w.-]+\+)?json$/.test(type)) {
      throw new ProblemError(415, 'unsupported-media-type', 'Unsupported media type', 'send the body as application/json');
    }
    const text = await readTextBody(c);
    if (text.trim() === '') throw new ProblemError(400, 'empty-body', 'Empty body', 'the request body is empty; send a JSON object');
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (error) {
      throw new ProblemError(400, 'malformed-json', 'Malformed JSON', `the body is not valid JSON: ${(error as Error).message}`);
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
      throw new ProblemError(400, 'bad-request', 'Bad request', 'the body must be a JSON object');
    }
    return next();
  };
}
