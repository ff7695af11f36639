// Known secrets (credentials Vigil injects, configured literals) and the encoded forms they may take
// on the way through: URL-encoded, and base64 at each of the three byte alignments, so a secret
// inside a larger base64 blob (a Basic header, a data URI) is found too; and, for a secret with a
// quote, a backslash or a control character, as it is escaped inside a JSON string (once, and
// twice: JSON text quoted in a JSON log line) and inside a SQL string literal (`''`, `\'`). Vigil's
// own log lines are masked after pino has serialized them, so a password holding `"` was written
// to the log as `\"`, which the raw spelling does not match; so was JSON text pasted into a
// prompt or a cell, and a statement that quotes the secret. And in UTF-16, as bytes read one to a
// character (how an answer is masked byte for byte, and how UTF-16 read as UTF-8 comes out): an
// echo endpoint answering in UTF-16, or a Windows tool's output, handed the client the credential
// Vigil injects with a NUL between its characters. And its bytes in hex.

/** Shorter values would mask ordinary words; they are refused by addKnownSecret. */
export const MIN_KNOWN_SECRET_LENGTH = 6;
/** Encoded fragments shorter than this are too likely to occur by chance. */
const MIN_VARIANT_LENGTH = 8;

export interface KnownSecret {
  readonly value: string;
  readonly label: string;
}

/**
 * The base64 characters that depend only on the secret's bytes when it starts `offset` bytes
 * into a larger buffer; `url` gives the base64url spelling.
 */
function base64Core(bytes: Buffer, offset: number, url: boolean): string {
  const padded = Buffer.concat([Buffer.alloc(offset), bytes, Buffer.alloc(3)]);
  const encoded = padded.toString(url ? 'base64url' : 'base64');
  const first = Math.ceil((offset * 8) / 6);
  const last = Math.floor(((offset + bytes.length) * 8) / 6);
  return encoded.slice(first, last);
}

/** Every spelling of the secret to look for, the raw value first. */
export function secretVariants(value: string): string[] {
  const variants = new Set<string>([value]);
  const json = JSON.stringify(value).slice(1, -1);
  variants.add(json);
  variants.add(JSON.stringify(json).slice(1, -1));
  variants.add(value.replaceAll("'", "''"));
  variants.add(value.replace(/[\\'"]/g, '\\$&'));
  const encoded = encodeURIComponent(value);
  variants.add(encoded);
  variants.add(encoded.replace(/%20/g, '+'));
  variants.add(lowerHex(encoded));
  const bytes = Buffer.from(value, 'utf8');
  const cores: string[] = [];
  for (const url of [false, true]) {
    for (let offset = 0; offset < 3; offset++) {
      const core = base64Core(bytes, offset, url);
      if (core.length >= MIN_VARIANT_LENGTH) cores.push(core);
    }
  }
  for (const core of cores) variants.add(core);
  // A base64 credential put in a URL (a query parameter, a form field) has its `+` and `/`
  // percent-encoded; the raw value's full encoding is above.
  for (const spelling of [value, ...cores]) {
    const upper = spelling.replace(/[+/=]/g, (c) => BASE64_ESCAPES[c]!);
    variants.add(upper);
    variants.add(lowerHex(upper));
  }
  // PHP's json_encode (and so Laravel, and many PHP echo endpoints) writes `/` as `\/`: a Basic
  // credential whose base64 holds `/` came back from such an upstream in a spelling no other
  // variant matches.
  for (const spelling of [...variants]) variants.add(spelling.replaceAll('/', '\\/'));
  // A body passed byte for byte is read one byte to a character (Latin-1): a secret holding a
  // character above ASCII is there as its UTF-8 bytes, which until 7 December no spelling matched,
  // so an HTTP API answer echoing a configured secret such as `Grüner-Schlüssel-0042` reached the
  // client in clear. ASCII secrets gain none.
  for (const spelling of [...variants]) {
    const bytes = Buffer.from(spelling, 'utf8').toString('latin1');
    if (bytes !== spelling) variants.add(bytes);
  }
  // The UTF-8 bytes in hex, as `encode(…, 'hex')`, MySQL's `HEX()`, a bytea column's `\x…` output,
  // `xxd -p` and hex dumps in logs write them (lower and upper case): until 7 December an echo of
  // the credential Vigil injects so written was recorded, and reached the client, in clear. Hex
  // with a separator between bytes (`73:76:…`, `hexdump`'s columns) is not looked for.
  const hex = bytes.toString('hex');
  variants.add(hex);
  variants.add(hex.toUpperCase());
  // Little- and big-endian, without the NUL that ends the one and starts the other, so an ASCII
  // secret has one spelling for both.
  const utf16 = Buffer.from(value, 'utf16le');
  variants.add(utf16.toString('latin1').slice(0, -1));
  variants.add(Buffer.from(utf16).swap16().toString('latin1').slice(1));
  return [...variants];
}

/** How a URL encoder writes base64's own punctuation. */
const BASE64_ESCAPES: Readonly<Record<string, string>> = { '+': '%2B', '/': '%2F', '=': '%3D' };

/** Percent escapes in lower-case hex (`%2f`), as some encoders write them. */
function lowerHex(text: string): string {
  return text.replace(/%[0-9A-F]{2}/g, (e) => e.toLowerCase());
}
