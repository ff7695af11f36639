// What every answer a model connection relays is held to, masking of answers on or off: the client
// never receives a secret the gateway holds (the credential it injected, the configured secrets).
// An upstream that echoes its request (an echo or debug route, a proxy that reflects headers into
// its body or its own headers) would otherwise hand the client the key Vigil exists to keep from it:
// until 7 December a successful answer went on as it came, and only a refusal (status 400 and up)
// was masked. The HTTP API and MCP connections hold their answers to the same (known secrets only,
// so the model's words are otherwise the client's to read as they came).
import type { OutgoingHttpHeaders } from 'node:http';
import type { PayloadMasker } from '../../core/ports.js';
import { maskLogprobs } from './logprob-masking.js';

type Masker = Pick<PayloadMasker, 'maskKnownSecrets'>;

/**
 * A whole body with the known secrets masked, read one byte to a character (Latin-1) as the HTTP
 * API's answers are: a body that is not UTF-8 passes byte for byte around what is masked, and the
 * masker reads a secret's UTF-8 bytes in that reading too. The same buffer when nothing was masked.
 */
export function knownSecretsMaskedBody(bytes: Buffer, masker: Masker): Buffer {
  const text = bytes.toString('latin1');
  const masked = masker.maskKnownSecrets(text);
  return masked === text ? bytes : Buffer.from(masked, 'latin1');
}

/**
 * A whole model answer with the known secrets masked, its logprobs too: a list of tokens spells a
 * key in pieces too short to be one (`sk-li`, `ve-…`), so each list is masked as the text it spells
 * (logprob-masking.ts), and the answer is then written from its parsed JSON. Until 7 December such
 * a key reached a client without `mask_responses` in a chat, completion or Responses answer.
 */
export function knownSecretsMaskedAnswer(bytes: Buffer, parsed: unknown, masker: Masker): Buffer {
  if (typeof parsed === 'object' && parsed !== null) {
    const masked = maskLogprobs(parsed, (text) => masker.maskKnownSecrets(text));
    if (masked !== parsed) return knownSecretsMaskedBody(Buffer.from(JSON.stringify(masked)), masker);
  }
  return knownSecretsMaskedBody(bytes, masker);
}

/** Response headers with the known secrets masked in every value. */
export function knownSecretsMaskedHeaders(headers: OutgoingHttpHeaders, masker: Masker): OutgoingHttpHeaders {
  const out: OutgoingHttpHeaders = {};
  for (const [name, value] of Object.entries(headers)) {
    out[name] = Array.isArray(value)
      ? value.map((v) => masker.maskKnownSecrets(v))
      : typeof value === 'string'
        ? masker.maskKnownSecrets(value)
        : value;
  }
  return out;
}
