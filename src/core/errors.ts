/** Typed errors. Expected platform states are values, not errors; these are for the unexpected. */

export type EgressReason =
  | 'bad_url'             // not http(s), credentials, unparsable
  | 'blocked_address'     // resolves to a private/reserved address
  | 'dns'                 // name does not resolve
  | 'timeout'             // time to first byte or total time exceeded
  | 'too_large'           // body over the byte cap
  | 'too_many_redirects'
  | 'network';            // reset, refused, TLS …

export class EgressError extends Error {
  override readonly name = 'EgressError';
  constructor(readonly reason: EgressReason, message: string, readonly url?: string) {
    super(message);
  }
}

export type ImageReason = 'unsupported' | 'corrupt' | 'too_many_pixels' | 'too_large' | 'not_an_image';

export class ImageError extends Error {
  override readonly name = 'ImageError';
  constructor(readonly reason: ImageReason, message: string) {
    super(message);
  }
}

export class BrowserError extends Error {
  override readonly name = 'BrowserError';
  constructor(
    readonly reason: 'not_found' | 'launch' | 'timeout' | 'crashed' | 'not_rendered',
    message: string,
    /** The page's own HTTP status, when it answered with an error. */
    readonly httpStatus?: number,
  ) {
    super(message);
  }
}

/** A bad value given by a caller (API body, CLI argument). */
export class InputError extends Error {
  override readonly name = 'InputError';
  constructor(message: string, readonly field?: string) {
    super(message);
  }
}
