// Canonical JSON: object keys sorted by UTF-16 code units, no whitespace, numbers as JSON.stringify
// writes them (RFC 8785 style). The same value always encodes to the same bytes, so hashes are stable.
// The one encoder for everything hashed or compared by content: ledger payloads and headers, MCP tool
// pins and argument digests, the reasoning tree's tool-call keys, `vigil rerun`'s request keys.

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

// Built by concatenation, with keys sorted only when they are not already in order: this runs for
// every recorded event (its payload is hashed), and the arrays of parts joined per object cost about
// half of its time.
function encode(value: unknown): string {
  switch (typeof value) {
    case 'string':
      return JSON.stringify(value);
    case 'boolean':
      return value ? 'true' : 'false';
    case 'number':
      if (!Number.isFinite(value)) throw new TypeError(`cannot encode non-finite number ${value}`);
      return JSON.stringify(value);
    case 'object': {
      if (value === null) return 'null';
      if (Array.isArray(value)) {
        let out = '[';
        for (let i = 0; i < value.length; i++) {
          if (i > 0) out += ',';
          out += encode(value[i] ?? null);
        }
        return `${out}]`;
      }
      const keys = Object.keys(value);
      if (!inOrder(keys)) keys.sort();
      let out = '{';
      for (const key of keys) {
        const item = (value as Record<string, unknown>)[key];
        if (item === undefined) continue;
        if (out.length > 1) out += ',';
        out += `${JSON.stringify(key)}:${encode(item)}`;
      }
      return `${out}}`;
    }
    default:
      throw new TypeError(`cannot encode a value of type ${typeof value}`);
  }
}

/** Whether keys are already sorted by UTF-16 code units (as `sort()` orders them). */
function inOrder(keys: readonly string[]): boolean {
  for (let i = 1; i < keys.length; i++) if (keys[i - 1]! > keys[i]!) return false;
  return true;
}
