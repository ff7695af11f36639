// Text a request carries as encoded bytes: a file part's `file_data`, a base64 source's `data`, a
// data: URL. OpenAI reads a text file given so (`data:text/plain;base64,…` as chat's `file` part or
// a Responses `input_file`) into the prompt, as Anthropic reads a document's text, so the bytes are
// text the model reads and a pattern must read them too. Bytes that are not UTF-8 (an image, a PDF)
// have no text a pattern could read; they stay out.

const UTF8 = new TextDecoder('utf-8', { fatal: true });

/** The text a base64 value or data: URL holds, when its bytes are UTF-8; null for anything else. */
export function encodedText(value: string): string | null {
  let payload = value;
  if (/^data:/i.test(value)) {
    const comma = value.indexOf(',');
    if (comma < 0) return null;
    payload = value.slice(comma + 1);
    // A data: URL without `;base64` holds its text percent-encoded (`data:text/plain,ignore%20all`).
    if (!/;base64$/i.test(value.slice(0, comma))) return percentDecoded(payload);
  }
  try {
    const text = UTF8.decode(Buffer.from(payload, 'base64'));
    return text === '' ? null : text;
  } catch {
    return null;
  }
}

function percentDecoded(payload: string): string | null {
  try {
    return decodeURIComponent(payload);
  } catch {
    // A stray `%` an upstream would read as itself: the text as written.
    return payload;
  }
}
