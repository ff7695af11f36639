// A client's request body sent with a content encoding, decoded before Vigil reads it. The record,
// the masker and every check on the body (a method override in a form, say) must read what the
// upstream will act on; an upstream such as Express's body-parser inflates a gzip body by itself,
// so compressed bytes would otherwise be judged as opaque and acted on in full. The decoded body is
// what is forwarded (without the content-encoding header), so what was recorded is what was sent.
import { promisify } from 'node:util';
import { brotliDecompress, gunzip, inflate } from 'node:zlib';
import { VigilError } from '../core/errors.js';

type Decoder = (input: Buffer, options: { maxOutputLength: number }) => Promise<Buffer>;

const DECODERS: Readonly<Record<string, Decoder>> = {
  gzip: promisify(gunzip),
  'x-gzip': promisify(gunzip),
  deflate: promisify(inflate),
  br: promisify(brotliDecompress),
};

export interface DecodedRequestBody {
  readonly body: Buffer;
  /** The codings that were undone, as the client listed them; null when the body was sent plain. */
  readonly decodedFrom: string | null;
}

/** The codings a content-encoding header lists, `identity` left out. */
function codingsOf(value: string | string[] | undefined): string[] {
  const joined = Array.isArray(value) ? value.join(',') : (value ?? '');
  return joined
    .split(',')
    .map((c) => c.trim().toLowerCase())
    .filter((c) => c !== '' && c !== 'identity');
}

/**
 * The body as identity bytes, never longer than `maxBytes` (a small compressed body must not expand
 * past the limit a plain one is held to). Throws body_encoding_unsupported for a coding Vigil cannot
 * undo, protocol_violation for a body that is not what its coding says, body_too_large past the limit.
 */
export async function decodeRequestBody(
  contentEncoding: string | string[] | undefined,
  raw: Buffer,
  maxBytes: number,
): Promise<DecodedRequestBody> {
  const codings = codingsOf(contentEncoding);
  if (codings.length === 0) return { body: raw, decodedFrom: null };
  let body = raw;
  // Several codings apply in the order listed, so they are undone from the last.
  for (const coding of [...codings].reverse()) {
    const decode = DECODERS[coding];
    if (!decode) {
      throw new VigilError(
        'body_encoding_unsupported',
        `the request body is encoded as ${coding}, which Vigil cannot decode to judge and record it`,
      );
    }
    try {
      body = await decode(body, { maxOutputLength: maxBytes });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') {
        throw new VigilError(
          'body_too_large',
          `the decoded request body exceeds the limit of ${maxBytes} bytes`,
          {
            details: { limit: maxBytes },
          },
        );
      }
      throw new VigilError('protocol_violation', `the request body is not valid ${coding}`);
    }
  }
  return { body, decodedFrom: codings.join(', ') };
}
