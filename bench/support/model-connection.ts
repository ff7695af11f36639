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

/** The benches' chat completion request body, whole or streamed. */
export const chat = (stream: boolean): string =>
  JSON.stringify({
    model: 'demo',
    stream,
    messages: [
      { role: 'system', content: 'You are a careful assistant.' },
      { role: 'user', content: 'Explain, step by step, why the sky is blue. Keep it short.' },
    ],
  });
