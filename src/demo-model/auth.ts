// The provider's key check: OpenAI reads `Authorization: Bearer KEY`, Anthropic `x-api-key`.
import { createHash, timingSafeEqual } from 'node:crypto';
import type { DemoErrorReply } from './types.js';
import type { WireFlavour } from './wire-errors.js';

/** The 401 to send, or null when the request carries the expected key. */
export function checkApiKey(
  flavour: WireFlavour,
  headers: Readonly<Record<string, string>>,
  expected: string,
): DemoErrorReply | null {
  const presented = flavour === 'openai' ? bearer(headers.authorization) : headers['x-api-key'];
  if (presented !== undefined && sameSecret(presented, expected)) return null;
  if (flavour === 'anthropic') {
    return {
      status: 401,
      message: presented === undefined ? 'x-api-key header is required' : 'invalid x-api-key',
    };
  }
  if (presented === undefined) {
    return {
      status: 401,
      code: null,
      message:
        "You didn't provide an API key. You need to provide your API key in an Authorization header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY).",
    };
  }
  return { status: 401, message: `Incorrect API key provided: ${redact(presented)}.` };
}

function bearer(value: string | undefined): string | undefined {
  const m = value === undefined ? null : /^Bearer\s+(.+)$/i.exec(value.trim());
  return m ? m[1]!.trim() : undefined;
}

function sameSecret(a: string, b: string): boolean {
  const digest = (s: string) => createHash('sha256').update(s).digest();
  return timingSafeEqual(digest(a), digest(b));
}

/** As OpenAI does: a few characters at each end, so logs and tests never hold a whole key. */
function redact(key: string): string {
  return key.length <= 8 ? '***' : `${key.slice(0, 3)}***${key.slice(-4)}`;
}
