// A text body as the upstream reads it. A JSON body may come in UTF-16 (Express's body-parser
// decodes any `charset=utf-*` it is given, and drops a byte-order mark), so read as UTF-8 it is
// a NUL between every character: a key in it escapes the masker, and a `_method` in it escapes the
// method-override check, while the upstream reads both. Bodies are read by their charset; one
// Vigil cannot decode (UTF-32, UTF-7) is refused rather than judged and recorded unread.
// Imported: the build's type libraries have no DOM, where TextDecoder is a global type.
import { TextDecoder } from 'node:util';
import { VigilError } from '../../core/errors.js';

/**
 * Every charset a content type names, lower case, in order. Parsers disagree on which of two wins
 * (body-parser takes the last), so a check reads the body in each.
 */
export function charsetsOf(contentType: string | undefined): string[] {
  return [...(contentType ?? '').matchAll(/;\s*charset\s*=\s*"?([^";,\s]+)/gi)].map((m) =>
    m[1]!.toLowerCase(),
  );
}

function decoder(label: string): TextDecoder | null {
  try {
    return new TextDecoder(label);
  } catch {
    return null;
  }
}

/**
 * The decoder for a content type's charset (its first; UTF-8 when it names none); null when Vigil
 * cannot decode that charset. A byte-order mark is dropped, as body-parser and browsers drop it.
 */
export function bodyDecoder(contentType: string | undefined): TextDecoder | null {
  return decoder(charsetsOf(contentType)[0] ?? 'utf-8');
}

/** A body as text in each charset its content type names (UTF-8 when none), a byte-order mark dropped. */
export function bodyTexts(body: Uint8Array, contentType: string | undefined): string[] {
  const labels = charsetsOf(contentType);
  return (labels.length > 0 ? labels : ['utf-8']).flatMap((label) => decoder(label)?.decode(body) ?? []);
}

/** Throws body_encoding_unsupported for a text body in a charset Vigil cannot decode. */
export function assertReadableCharset(
  body: Uint8Array,
  contentType: string | undefined,
  textual: boolean,
): void {
  if (body.length === 0 || !textual) return;
  const unreadable = charsetsOf(contentType).find((label) => decoder(label) === null);
  if (unreadable === undefined) return;
  throw new VigilError(
    'body_encoding_unsupported',
    `the request body is in charset ${unreadable}, which Vigil cannot decode to judge and record it`,
  );
}
