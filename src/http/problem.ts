import type { Context } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { ContentfulStatusCode } from 'hono/utils/http-status';

export const PROBLEM_TYPE_BASE = 'urn:embedkeep:problem:';

export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  [extension: string]: unknown;
}

/** A typed HTTP error that renders as application/problem+json (RFC 9457). */
export class ProblemError extends HTTPException {
  constructor(
    status: ContentfulStatusCode,
    readonly slug: string,
    readonly title: string,
    detail: string,
    readonly extensions: Record<string, unknown> = {},
    readonly headers: Record<string, string> = {},
  ) {
    super(status, { message: detail });
  }
}

export function problemResponse(c: Context, status: ContentfulStatusCode, slug: string, title: string, detail: string, extensions: Record<string, unknown> = {}, headers: Record<string, string> = {}) {
  const body: Problem = {
    type: `${PROBLEM_TYPE_BASE}${slug}`,
    title,
    status,
    detail,
    ...extensions,
    ...(c.get('requestId') ? { requestId: c.get('requestId') } : {}),
  };
  return c.body(JSON.stringify(body), status, { 'content-type': 'application/problem+json; charset=utf-8', ...headers });
}

export const badRequest = (detail: string, extensions: Record<string, unknown> = {}) =>
  new ProblemError(400, 'bad-request', 'Bad request', detail, extensions);

export const notFound = (detail: string) => new ProblemError(404, 'not-found', 'Not found', detail);
