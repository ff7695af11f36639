// POST /v1/completions (legacy): a text_completion, or a stream of them ending in `data: [DONE]`.
import { answerStream, type Exchange, prepareAnswer, sendAnswerBody, totalOutputTokens } from './exchange.js';
import { completionLogprobs, completionLogprobsWanted } from './logprobs.js';
import { completionHead } from './openai-chat.js';
import { completionPrompts } from './openai-requests.js';
import { chunkTokens, countTokens } from './text.js';

export async function handleCompletions(ex: Exchange): Promise<void> {
  const prompts = completionPrompts(ex.body, ex.headers);
  const answer = await prepareAnswer(ex, prompts, 'call_');
  if (answer === null) return;
  const first = prompts[0]!;
  const head = completionHead('cmpl-', 'text_completion', first.model);
  const promptTokens = prompts
    .filter((p) => p.choiceIndex % p.n === 0)
    .reduce((sum, p) => sum + countTokens(p.promptText), 0);
  const completionTokens = totalOutputTokens(answer.choices);
  const usage = {
    prompt_tokens: promptTokens,
    completion_tokens: completionTokens,
    total_tokens: promptTokens + completionTokens,
  };
  const alternatives = completionLogprobsWanted(ex.body);
  const logprobs = (tokens: readonly string[], offset: number) =>
    alternatives === null ? null : completionLogprobs(tokens, alternatives, offset);
  if (!first.stream) {
    const body = {
      ...head,
      choices: answer.choices.map((c) => ({
        text: c.text,
        index: c.index,
        logprobs: logprobs(c.tokens, 0),
        finish_reason: c.finishReason,
      })),
      usage,
    };
    await sendAnswerBody(ex, answer, body);
    return;
  }
  const includeUsage =
    (ex.body.stream_options as { include_usage?: unknown } | undefined)?.include_usage === true;
  const sse = answerStream(ex, answer);
  const chunk = (index: number, text: string, finish: string | null, lp: unknown = null) => ({
    ...head,
    choices: [{ text, index, logprobs: lp, finish_reason: finish }],
    ...(includeUsage ? { usage: null } : {}),
  });
  sse.open(ex.responseHeaders);
  const pieces = answer.choices.map((c) => chunkTokens(c.tokens, ex.tokensPerChunk));
  const offsets = answer.choices.map(() => 0);
  const longest = Math.max(0, ...pieces.map((p) => p.length));
  for (let step = 0; step < longest; step++) {
    for (const [i, c] of answer.choices.entries()) {
      const piece = pieces[i]![step];
      if (piece === undefined) continue;
      const text = piece.join('');
      await sse.content(chunk(c.index, text, null, logprobs(piece, offsets[i]!)));
      offsets[i]! += text.length;
    }
  }
  sse.closing();
  for (const c of answer.choices) await sse.event(chunk(c.index, '', c.finishReason));
  if (includeUsage) await sse.event({ ...head, choices: [], usage });
  await sse.done();
  sse.end();
}
