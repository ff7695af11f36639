// POST /v1/responses: a response object, or its event stream: response.created,
// response.in_progress, then per output item output_item.added, (content_part.added,
// output_text.delta…, output_text.done, content_part.done | function_call_arguments.delta…,
// function_call_arguments.done), output_item.done, and finally response.completed (or .incomplete).
import { answerStream, type Exchange, prepareAnswer, sendAnswerBody } from './exchange.js';
import { responsesLogprobs, responsesLogprobsWanted } from './logprobs.js';
import { responsesPrompts } from './openai-requests.js';
import type { PlannedChoice } from './plan.js';
import type { Body } from './prompt-fields.js';
import { chunkChars, chunkTokens, countTokens, randomId, stableId } from './text.js';

type Item = Record<string, unknown>;

export async function handleResponses(ex: Exchange): Promise<void> {
  const prompts = responsesPrompts(ex.body, ex.headers);
  const answer = await prepareAnswer(ex, prompts, 'call_');
  if (answer === null) return;
  const prompt = prompts[0]!;
  const choice = answer.choices[0]!;
  const id = randomId('resp_', 48, 'hex');
  const withLogprobs = responsesLogprobsWanted(ex.body);
  const items = outputItems(choice, id, withLogprobs);
  const inputTokens = countTokens(prompt.promptText);
  const incomplete = choice.finishReason === 'length';
  const response = (status: string, output: Item[], usage: unknown) => ({
    id,
    object: 'response',
    created_at: Math.floor(Date.now() / 1000),
    status,
    background: false,
    error: null,
    incomplete_details: status === 'incomplete' ? { reason: 'max_output_tokens' } : null,
    instructions: typeof ex.body.instructions === 'string' ? ex.body.instructions : null,
    max_output_tokens: prompt.maxTokens,
    model: prompt.model,
    output,
    parallel_tool_calls: true,
    previous_response_id: (ex.body.previous_response_id as string | undefined) ?? null,
    reasoning: { effort: null, summary: null },
    service_tier: 'default',
    store: ex.body.store !== false,
    temperature: prompt.temperature ?? 1,
    text: { format: { type: 'text' } },
    tool_choice: ex.body.tool_choice ?? 'auto',
    tools: Array.isArray(ex.body.tools) ? ex.body.tools : [],
    top_p: typeof ex.body.top_p === 'number' ? ex.body.top_p : 1,
    truncation: 'disabled',
    usage,
    user: null,
    metadata: (ex.body.metadata as Body | undefined) ?? {},
  });
  const usage = {
    input_tokens: inputTokens,
    input_tokens_details: { cached_tokens: 0 },
    output_tokens: choice.outputTokens,
    output_tokens_details: { reasoning_tokens: 0 },
    total_tokens: inputTokens + choice.outputTokens,
  };
  const finalStatus = incomplete ? 'incomplete' : 'completed';
  if (!prompt.stream) {
    const body = response(
      finalStatus,
      items.map((i) => i.done),
      usage,
    );
    await sendAnswerBody(ex, answer, body);
    return;
  }
  const sse = answerStream(ex, answer);
  let sequence = 0;
  const emit = (type: string, fields: Record<string, unknown>, content = false) => {
    const data = { type, sequence_number: sequence++, ...fields };
    return content ? sse.content(data, type) : sse.event(data, type);
  };
  sse.open(ex.responseHeaders);
  await emit('response.created', { response: response('in_progress', [], null) });
  await emit('response.in_progress', { response: response('in_progress', [], null) });
  for (const [outputIndex, item] of items.entries()) {
    await emit('response.output_item.added', { output_index: outputIndex, item: item.added });
    const itemId = item.done.id as string;
    if (item.done.type === 'message') {
      const part = { type: 'output_text', annotations: [], logprobs: [], text: '' };
      const at = { item_id: itemId, output_index: outputIndex, content_index: 0 };
      await emit('response.content_part.added', { ...at, part });
      for (const tokens of chunkTokens(choice.tokens, ex.tokensPerChunk)) {
        const logprobs = withLogprobs ? responsesLogprobs(tokens, false) : [];
        await emit('response.output_text.delta', { ...at, delta: tokens.join(''), logprobs }, true);
      }
      const logprobs = withLogprobs ? responsesLogprobs(choice.tokens, false) : [];
      await emit('response.output_text.done', { ...at, text: choice.text, logprobs });
      const whole = (item.done.content as Item[])[0]!;
      await emit('response.content_part.done', { ...at, part: whole });
    } else {
      const args = item.done.arguments as string;
      const at = { item_id: itemId, output_index: outputIndex };
      for (const delta of chunkChars(args, 8 * Math.max(1, ex.tokensPerChunk))) {
        await emit('response.function_call_arguments.delta', { ...at, delta }, true);
      }
      await emit('response.function_call_arguments.done', { ...at, arguments: args });
    }
    await emit('response.output_item.done', { output_index: outputIndex, item: item.done });
  }
  sse.closing();
  await emit(incomplete ? 'response.incomplete' : 'response.completed', {
    response: response(
      finalStatus,
      items.map((i) => i.done),
      usage,
    ),
  });
  sse.end();
}

/** Each output item as first announced (in progress, empty) and as finished. */
function outputItems(
  choice: PlannedChoice,
  responseId: string,
  withLogprobs: boolean,
): { added: Item; done: Item }[] {
  const items: { added: Item; done: Item }[] = [];
  const status = choice.finishReason === 'length' ? 'incomplete' : 'completed';
  if (choice.text !== '' || choice.toolCalls.length === 0) {
    const id = stableId('msg_', responseId);
    const base = { id, type: 'message', role: 'assistant' };
    items.push({
      added: { ...base, status: 'in_progress', content: [] },
      done: {
        ...base,
        status,
        content: [
          {
            type: 'output_text',
            annotations: [],
            logprobs: withLogprobs ? responsesLogprobs(choice.tokens, true) : [],
            text: choice.text,
          },
        ],
      },
    });
  }
  for (const [k, call] of choice.toolCalls.entries()) {
    const base = {
      id: stableId('fc_', responseId, k),
      type: 'function_call',
      call_id: call.id,
      name: call.name,
    };
    items.push({
      added: { ...base, status: 'in_progress', arguments: '' },
      done: { ...base, status: 'completed', arguments: call.arguments },
    });
  }
  return items;
}
