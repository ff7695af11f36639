// Extended thinking, as Anthropic's messages API has it: with `thinking: {type: "enabled",
// budget_tokens}` a reply opens with a thinking block carrying a `signature` the API made, and a
// later request that returns the block (a tool loop must) is refused unless the signature is the one
// given. What records or masks the traffic must hand the signature back unchanged.
import { createHmac } from 'node:crypto';
import { excerpt } from './text.js';
import { badRequest } from './wire-errors.js';

const SIGNING_KEY = 'vigil-demo-model-thinking';

/** The block's signature: base64 of 160 bytes derived from the thinking text, as long as the API's are. */
export function thinkingSignature(thinking: string): string {
  const a = createHmac('sha512', SIGNING_KEY).update(thinking).digest();
  const b = createHmac('sha512', SIGNING_KEY).update(a).digest();
  return Buffer.concat([a, b, a.subarray(0, 32)]).toString('base64');
}

export function wantsThinking(body: Record<string, unknown>): boolean {
  const thinking = body.thinking as { type?: unknown } | undefined;
  return typeof thinking === 'object' && thinking !== null && thinking.type === 'enabled';
}

/** What the stand-in "thinks" before it answers: a short restatement of the last user turn. */
export function thinkingText(lastUserText: string): string {
  return `The user asks: ${excerpt(lastUserText, 12)} I will answer briefly.`;
}

/** Refuses a returned thinking block whose signature is not the one the stand-in gave it. */
export function checkReturnedThinking(parts: readonly unknown[], messageIndex: number): void {
  for (const [j, part] of parts.entries()) {
    const p = part as { type?: unknown; thinking?: unknown; signature?: unknown } | null;
    if (p?.type !== 'thinking') continue;
    if (typeof p.thinking !== 'string' || p.signature !== thinkingSignature(p.thinking)) {
      throw badRequest(`messages.${messageIndex}.content.${j}: Invalid \`signature\` in \`thinking\` block`);
    }
  }
}
