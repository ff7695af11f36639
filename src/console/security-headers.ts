// The headers every console response carries. The console shows recorded content that people who
// may be hostile wrote (prompts, responses, statements): the policy allows only this gateway's own
// scripts, styles and API, so even text that escaped React's escaping could neither run nor call out.
import type { OutgoingHttpHeaders } from 'node:http';

export const CONSOLE_CSP = [
  "default-src 'self'",
  // 'wasm-unsafe-eval' lets a page compile WebAssembly and nothing else: no eval, no Function, no
  // inline script. The SSH terminal player (asciinema-player) carries its terminal emulator as
  // WebAssembly inside its own (self-served) script, and cannot run without it.
  "script-src 'self' 'wasm-unsafe-eval'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "object-src 'none'",
].join('; ');

export const CONSOLE_SECURITY_HEADERS: Readonly<OutgoingHttpHeaders> = Object.freeze({
  'content-security-policy': CONSOLE_CSP,
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
});
