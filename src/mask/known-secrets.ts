// Known secrets (credentials Vigil injects, configured literals) and the encoded forms they may take
// on the way through: URL-encoded, and base64 at each of the three byte alignments, so a secret
// inside a larger base64 blob (a Basic header, a data URI) is found too.

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
  const encoded = encodeURIComponent(value);
  variants.add(encoded);
  variants.add(encoded.replace(/%20/g, '+'));
  const bytes = Buffer.from(value, 'utf8');
  for (const url of [false, true]) {
    for (let offset = 0; offset < 3; offset++) {
      const core = base64Core(bytes, offset, url);
      if (core.length >= MIN_VARIANT_LENGTH) variants.add(core);
    }
  }
  return [...variants];
}
