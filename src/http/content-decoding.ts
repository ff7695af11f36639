// An upstream's answer with a content encoding, decoded before Vigil reads it. Vigil asks for
// `accept-encoding: identity` so that what it records and masks is readable; an upstream that
// compresses anyway would otherwise have its answer recorded as unreadable bytes (or not at all)
// while the client, which decodes it, reads it in full. gzip, deflate and br are decoded as the
// bytes arrive (a stream stays a stream); any other encoding cannot be read, so it is refused.
import { pipeline, type Readable, Transform } from 'node:stream';
import { createBrotliDecompress, createGunzip, createInflate } from 'node:zlib';
import { VigilError } from '../core/errors.js';

type Headers = Record<string, string | string[] | undefined>;

export interface DecodedAnswer {
  /** The answer's headers without content-encoding and content-length (the body is re-framed). */
  readonly headers: Headers;
  readonly body: AsyncIterable<Uint8Array>;
}

function decoderFor(encoding: string) {
  switch (encoding) {
    case 'gzip':
    case 'x-gzip':
      return createGunzip();
    case 'deflate':
      return createInflate();
    case 'br':
      return createBrotliDecompress();
    default:
      return null;
  }
}

/**
 * How far an answer may expand: a first 16 MiB, then 100 decoded bytes per compressed byte. JSON
 * and event streams compress about tenfold; a decompression bomb a thousandfold, and would
 * otherwise fill the gateway's memory from a few kilobytes.
 */
const FREE_BYTES = 16 * 1024 * 1024;
const MAX_RATIO = 100;

/** The body as identity bytes; throws upstream_failed for an encoding Vigil cannot read. */
export function decodedAnswer(headers: Headers, body: Readable): DecodedAnswer {
  const value = headers['content-encoding'];
  const encoding = (Array.isArray(value) ? value.join(',') : (value ?? '')).trim().toLowerCase();
  if (encoding === '' || encoding === 'identity') return { headers, body };
  const { 'content-encoding': _encoding, 'content-length': _length, ...rest } = headers;
  // Several codings apply in the order listed, so they are undone from the last.
  const decoders = [];
  for (const coding of encoding
    .split(',')
    .map((c) => c.trim())
    .reverse()) {
    if (coding === 'identity') continue;
    const decoder = decoderFor(coding);
    if (!decoder) {
      // Nothing will read it: dropped, and the abort that follows is no one's error.
      body.on('error', () => undefined);
      body.destroy();
      throw new VigilError(
        'upstream_failed',
        'the upstream answered with a content encoding Vigil cannot read, so it could not be recorded',
      );
    }
    decoders.push(decoder);
  }
  // A failure anywhere in the chain (a corrupt stream, the upstream cut) destroys the last stage
  // with it, so it surfaces where the body is read.
  let compressed = 0;
  let expanded = 0;
  const countIn = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      compressed += chunk.length;
      done(null, chunk);
    },
  });
  const capOut = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      expanded += chunk.length;
      if (expanded > FREE_BYTES + MAX_RATIO * compressed) {
        done(
          new VigilError(
            'upstream_failed',
            'the upstream answer decompresses to far more than it was sent as',
          ),
        );
      } else done(null, chunk);
    },
  });
  const decoded = pipeline([body, countIn, ...decoders, capOut], () => undefined) as unknown as Readable;
  return { headers: rest, body: decoded };
}

/** Reads a body whole. */
export async function readAll(body: AsyncIterable<Uint8Array>): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of body) chunks.push(Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength));
  return Buffer.concat(chunks);
}
