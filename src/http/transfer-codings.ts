// An upstream's answer framed with a transfer coding other than chunked. `Transfer-Encoding: gzip,
// chunked` (or `deflate, chunked`) is valid HTTP/1.1 (RFC 9112 §6.1), and undici undoes only the
// chunking: the body arrives still compressed, with no Content-Encoding to say so
// (content-decoding.ts reads only that header). Passed on as it was, the masker read compressed
// bytes, in which a credential an upstream echoed cannot be found, and the client (told nothing,
// since Transfer-Encoding is a hop-by-hop header) could inflate it by hand: until 7 December the
// injected key reached a client so, on `http` connections and on the model path, and the record
// held the compressed bytes. Servers do not send such codings unasked, and Vigil never asks (it
// drops the client's `TE`), so such an answer is refused rather than decoded.
import type { Readable } from 'node:stream';
import { VigilError } from '../core/errors.js';

type Headers = Record<string, string | string[] | undefined>;

/** The transfer codings an answer names besides chunked (and identity), lower case, parameters dropped. */
export function extraTransferCodings(headers: Headers): string[] {
  const value = headers['transfer-encoding'];
  const list = Array.isArray(value) ? value.join(',') : (value ?? '');
  return list
    .split(',')
    .map((c) => c.trim().toLowerCase().split(';', 1)[0]!.trim())
    .filter((c) => c !== '' && c !== 'chunked' && c !== 'identity');
}

/** Throws upstream_failed (and drops the body) when the answer's body is not plain bytes once de-chunked. */
export function assertPlainTransfer(headers: Headers, body: Readable): void {
  const extra = extraTransferCodings(headers);
  if (extra.length === 0) return;
  // Nothing will read it: dropped, and the abort that follows is no one's error.
  body.on('error', () => undefined);
  body.destroy();
  throw new VigilError(
    'upstream_failed',
    `the upstream answered with a transfer coding Vigil cannot read (${extra.join(', ')}), so it could not be masked or recorded`,
  );
}
