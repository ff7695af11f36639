// Canonical JSON: object keys sorted by UTF-16 code units, no whitespace, numbers as JSON.stringify
// writes them (RFC 8785 style). The same value always encodes to the same bytes, so hashes are stable.

// Encodings already computed for a payload object (the recorder hashes a payload, then the store
// writes the same text): looked up only at the top level, keyed by object identity.
const remembered = new WeakMap<object, string>();

/** Remembers `text` as the canonical encoding of `value`, which must not be mutated afterwards. */
export function rememberCanonical(value: object, text: string): void {
  remembered.set(value, text);
}

export function canonicalJson(value: unknown): string {
  if (typeof value === 'object' && value !== null) {
    const known = remembered.get(value);
    if (known !== undefined) return known;
  }
  return encode(value);
}

function encode(value: unknown): string {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return JSON.stringify(value);
    case 'number':
      if (!Number.isFinite(value)) throw new TypeError(`cannot encode non-finite number ${value}`);
      return JSON.stringify(value);
    case 'object': {
      if (value === null) return 'null';
      if (Array.isArray(value)) return `[${value.map((item) => encode(item ?? null)).join(',')}]`;
      const keys = Object.keys(value).sort();
      const parts: string[] = [];
      for (const key of keys) {
        const item = (value as Record<string, unknown>)[key];
        if (item === undefined) continue;
        parts.push(`${JSON.stringify(key)}:${encode(item)}`);
      }
      return `{${parts.join(',')}}`;
    }
    default:
      throw new TypeError(`cannot encode a value of type ${typeof value}`);
  }
}
