// POST /v1/chat/completions: a chat.completion, or a stream of chat.completion.chunk events ending
// in `data: [DONE]`, with n choices interleaved chunk by chunk as the real API does.
import { answerStream, type Exchange, prepareAnswer, sendAnswerBody, totalOutputTokens } from './exchange.js';
import { chatPrompts } from './openai-requests.js';
import type { PlannedChoice } from './plan.js';
import { chunkChars, chunkTokens, countTokens, randomId } from './text.js';

export const SYSTEM_FINGERPRINT = 'fp_vigil_demo';

/** The fields every OpenAI completion object (chat or text, whole or chunk) opens with. */
export function completionHead(idPrefix: string, object: string, model: string) {
  return {
    id: randomId(idPrefix),
    object,
    created: Math.floor(Date.now() / 1000),
    model,
    system_fingerprint: SYSTEM_FINGERPRINT,
  };
}

export function chatUsage(promptTokens: number, completionTokens: number) {
  return {
    prompt_tokens: promptTokens,
    completion_tokens: completionTokens,
    total_tokens: promptTokens + completionTokens,
    prompt_tokens_details: { cached_tokens: 0, audio_tokens: 0 },
    completion_tokens_details: {
      reasoning_tokens: 0,
      audio_tokens: 0,
      accepted_prediction_tokens: 0,
      rejected_prediction_tokens: 0,
    },
  };
}

export async function handleChat(ex: Exchange): Promise<void> {
  const prompts = chatPrompts(ex.body, ex.headers);
  const answer = await prepareAnswer(ex, prompts, 'call_');
  if (answer === null) return;
  const first = prompts[0]!;
  const head = completionHead('chatcmpl-', 'chat.completion', first.model);
  const usage = chatUsage(countTokens(first.promptText), totalOutputTokens(answer.choices));
  if (!first.stream) {
    const body = {
      ...head,
      choices: answer.choices.map(messageChoice),
      usage,
      service_tier: 'default',
    };
    await sendAnswerBody(ex, answer, body);
    return;
  }
  const includeUsage =
    (ex.body.stream_options as { include_usage?: unknown } | undefined)?.include_usage === true;
  const sse = answerStream(ex, answer);
  const chunk = (choices: unknown[]) => ({
    ...head,
    object: 'chat.completion.chunk',
    service_tier: 'default',
    choices,
    ...(includeUsage ? { usage: null } : {}),
  });
  sse.open(ex.responseHeaders);
  for (const c of answer.choices) {
    await sse.event(chunk([delta(c.index, { role: 'assistant', content: '', refusal: null })]));
  }
  const pieces = answer.choices.map((c) => contentDeltas(c, ex.tokensPerChunk));
  const longest = Math.max(0, ...pieces.map((p) => p.length));
  for (let step = 0; step < longest; step++) {
    for (const [i, c] of answer.choices.entries()) {
      const piece = pieces[i]![step];
      if (piece !== undefined) await sse.content(chunk([delta(c.index, piece)]));
    }
  }
  sse.closing();
  for (const c of answer.choices) {
    await sse.event(chunk([{ index: c.index, delta: {}, logprobs: null, finish_reason: c.finishReason }]));
  }
  if (includeUsage) await sse.event({ ...chunk([]), usage });
  await sse.done();
  sse.end();
}

function delta(index: number, d: Record<string, unknown>) {
  return { index, delta: d, logprobs: null, finish_reason: null };
}

/** The text in token chunks, then each tool call: a head with id and name, then argument pieces. */
function contentDeltas(choice: PlannedChoice, tokensPerChunk: number): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [
    ...chunkChars(choice.reasoning, 8 * Math.max(1, tokensPerChunk)).map((reasoning_content) => ({
      reasoning_content,
    })),
    ...chunkTokens(choice.tokens, tokensPerChunk).map((tokens) => ({ content: tokens.join('') })),
  ];
  for (const [k, call] of choice.toolCalls.entries()) {
    out.push({
      tool_calls: [{ index: k, id: call.id, type: 'function', function: { name: call.name, arguments: '' } }],
    });
    for (const piece of chunkChars(call.arguments, 8 * Math.max(1, tokensPerChunk))) {
      out.push({ tool_calls: [{ index: k, function: { arguments: piece } }] });
    }
  }
  return out;
}

function messageChoice(c: PlannedChoice) {
  const message: Record<string, unknown> = {
    role: 'assistant',
    content: c.text === '' && c.toolCalls.length > 0 ? null : c.text,
    refusal: null,
    annotations: [],
  };
  if (c.reasoning !== '') message.reasoning_content = c.reasoning;
  if (c.toolCalls.length > 0) {
    message.tool_calls = c.toolCalls.map((t) => ({
      id: t.id,
      type: 'function',
      function: { name: t.name, arguments: t.arguments },
    }));
  }
  return { index: c.index, message, logprobs: null, finish_reason: c.finishReason };
}
