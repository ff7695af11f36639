// A model request's body must be UTF-8 (RFC 8259 §8.1). Vigil read it with replacement characters
// where its bytes were not UTF-8, so policy judged `ign\uFFFDore` while the bytes went upstream as
// sent, and an upstream that skips such bytes rather than refusing them (PHP's json_decode with
// JSON_INVALID_UTF8_IGNORE, iconv's //IGNORE) read `ignore`: a denied phrase reached the model past
// the pattern that names it. Such a body is refused, never forwarded.
import { isUtf8 } from 'node:buffer';
import { VigilError } from '../../core/errors.js';

/** Throws body_invalid_json (details `reason: not_utf8`) unless every byte of the body is UTF-8. */
export function assertUtf8Body(raw: Buffer): void {
  if (isUtf8(raw)) return;
  throw new VigilError('body_invalid_json', 'the request body is not UTF-8 text', {
    details: { reason: 'not_utf8' },
  });
}
