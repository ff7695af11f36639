// What the two late-vote tests share: a model connection whose prompts about production are held
// for review with a short timeout, and a prompt sent and waited for until the gateway holds it.
import OpenAI from 'openai';
import type { TestGateway } from '../support/gateway.js';
import { TOKENS } from '../support/gateway.js';

const TIMEOUT_MS = 4_000;

/** The gateway options: `oa` on the demo model at `modelUrl`, prompts about production reviewed. */
export function reviewedPrompts(modelUrl: string) {
  return {
    connections: [{ name: 'oa', type: 'llm-openai', upstream: modelUrl, allow: ['group:ai-eng'] }],
    policy: {
      rules: [
        {
          name: 'review-production-prompts',
          match: { connections: ['oa'], events: ['llm.request'], pattern: '(?i)production' },
          action: 'review',
          reason: 'prompts about production are reviewed',
          review: { approvers: ['group:security'], timeout: `${TIMEOUT_MS}ms` },
        },
      ],
    },
  };
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, Math.max(0, ms)));

export interface HeldPrompt {
  /** How alice's request ended: answered, or refused with this x-vigil-error. */
  readonly answer: Promise<{ ok: boolean; code: string | null | undefined }>;
  readonly held: { id: string; expiresAt: string };
}

/** Alice sends a prompt about production through `gateway`; resolves once the gateway holds it. */
export async function holdPrompt(gateway: TestGateway): Promise<HeldPrompt> {
  const client = new OpenAI({ baseURL: `${gateway.url}/c/oa/v1`, apiKey: TOKENS.alice, maxRetries: 0 });
  const answer = client.chat.completions
    .create({ model: 'demo', messages: [{ role: 'user', content: 'production late approval' }] })
    .then(
      () => ({ ok: true, code: null }),
      (err: { headers?: Headers }) => ({ ok: false, code: err.headers?.get('x-vigil-error') }),
    );
  for (let i = 0; i < 200; i++) {
    const held = (await gateway.store.approvals.listApprovals({ status: 'pending' }))[0];
    if (held && gateway.approvals.service.holding > 0) return { answer, held };
    await sleep(25);
  }
  throw new Error('the prompt was not held');
}
