// The `model` connection each LLM bench puts in front of the local stand-in model (Vigil holds the
// stand-in's key, by reference from the environment, as it would a provider's), and the chat
// request the benches send through it.
export function benchModelConnection(upstream: string, upstreamKey: string): Record<string, unknown> {
  process.env.VIGIL_BENCH_UPSTREAM_KEY = upstreamKey;
  return {
    name: 'model',
    type: 'llm-openai',
    upstream,
    credential: 'env:VIGIL_BENCH_UPSTREAM_KEY',
    allow: ['*'],
  };
}

import { mixedCorpus } from '../mask/corpus.js';

/**
 * Earlier turns each request carries, as an agent re-sends its whole conversation every turn
 * (VIGIL_BENCH_HISTORY turns of about 1.6 KB each from the masking corpus; none by default).
 */
const HISTORY_TURNS = Number(process.env.VIGIL_BENCH_HISTORY ?? 0);
const history = (() => {
  if (HISTORY_TURNS <= 0) return [];
  const lines = mixedCorpus(HISTORY_TURNS * 1_700).split('\n');
  const perTurn = Math.ceil(lines.length / HISTORY_TURNS);
  return Array.from({ length: HISTORY_TURNS }, (_, i) => ({
    role: i % 2 === 0 ? 'user' : 'assistant',
    content: lines.slice(i * perTurn, (i + 1) * perTurn).join('\n'),
  }));
})();

/** The benches' chat completion request body, whole or streamed. */
export const chat = (stream: boolean): string =>
  JSON.stringify({
    model: 'demo',
    stream,
    messages: [
      { role: 'system', content: 'You are a careful assistant.' },
      ...history,
      { role: 'user', content: 'Explain, step by step, why the sky is blue. Keep it short.' },
    ],
  });
