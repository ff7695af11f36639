// The stand-in model: a local server speaking the OpenAI and Anthropic wire formats, for tests,
// benchmarks and the offline demo. See docs/demo-model.md.
export { DEMO_MODEL_IDS } from './catalogue.js';
export { defaultReply, replyTag } from './default-reply.js';
export { FAIL_HEADER, FAIL_MODEL_PREFIX, parseFailureSpecs } from './failures.js';
export { embed } from './openai-embeddings.js';
export { loadScript, scriptResponder } from './script.js';
export { startDemoModel } from './server.js';
export { chunkText, countTokens, splitTokens } from './text.js';
export * from './types.js';
