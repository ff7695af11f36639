// A re-run serves the recording, and the recording holds answers masked: a secret the model said (or
// echoed) comes back as `[MASKED:<rule>:<fingerprint>]`, not as the value the client got then. A
// client that uses such a value (an agent passing a key on to a tool) then goes another way than
// it went in the recorded run, with nothing to say why. So an answer holding a replacement says so
// (`x-vigil-masked: true`) and the report lists it. Only the default replacement form is
// recognised: a custom rule's own `replacement` text is not (docs/masking.md).
import type { LlmResponsePayload } from '../core/llm-payloads.js';

const REPLACEMENT = /\[MASKED:[a-z0-9-]+:[0-9a-f]{6}\]/;

/**
 * Whether the recorded response holds a masking replacement. The recording, not the wire answer, is
 * read: a rebuilt stream splits the text into word-sized pieces, and a replacement with it.
 */
export function holdsMaskedValue(response: LlmResponsePayload): boolean {
  return REPLACEMENT.test(JSON.stringify(response));
}
