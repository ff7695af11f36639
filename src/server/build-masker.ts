// Builds the masker from the configuration and the credentials Vigil injects.
// Until the detector catalogue is wired in, only known secrets (injected credentials, configured
// literals) are masked — see src/mask/ for the full engine.
import type { JsonObject } from '../core/events.js';
import type { PayloadMasker } from '../core/ports.js';

export function buildMasker(knownSecrets: readonly string[]): PayloadMasker {
  const secrets = knownSecrets.filter((s) => s.length >= 4);
  const maskText = (text: string) => secrets.reduce((t, s) => t.split(s).join('[MASKED:known-secret]'), text);
  const walk = (value: unknown): unknown => {
    if (typeof value === 'string') return maskText(value);
    if (Array.isArray(value)) return value.map(walk);
    if (value && typeof value === 'object') {
      return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, walk(v)]));
    }
    return value;
  };
  const window = Math.max(0, ...secrets.map((s) => s.length - 1));
  return {
    maskPayload: (payload) => walk(payload) as JsonObject,
    maskText: (text) => maskText(text),
    createStreamMasker() {
      let carry = '';
      return {
        push(chunk) {
          const masked = maskText(carry + chunk);
          const keep = Math.min(window, masked.length);
          carry = masked.slice(masked.length - keep);
          return masked.slice(0, masked.length - keep);
        },
        end() {
          const rest = carry;
          carry = '';
          return rest;
        },
      };
    },
  };
}
