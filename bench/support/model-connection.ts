// The `model` connection each LLM bench puts in front of the local stand-in model: Vigil holds the
// stand-in's key (by reference, from the environment), as it would a provider's.
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
