// OpenAI wire formats rebuilt from recorded choices: chat.completion and its chunk stream (n choices
// interleaved, tool calls as a head then argument pieces, usage last when asked for, `[DONE]`),
// text_completion, and the Responses API (a response object; its stream as created, text deltas,
// completed). The shapes follow src/demo-model, which follows the providers.
import type { JsonObject, JsonValue } from '../core/events.js';
import type { LlmChoice } from '../core/llm-payloads.js';
import { type AnswerHead, sseEvent, textPieces } from './wire-pieces.js';

const ARGUMENT_PIECE = 16;

function chatHead(head: AnswerHead, object: string): JsonObject {
  return {
    id: head.id ?? `chatcmpl-rerun-${head.requestId}`,
    object,
    created: head.created,
    model: head.model,
    ...head.extra,
  };
}

function message(c: LlmChoice): JsonObject {
  const out: JsonObject = {
    role: 'assistant',
    content: c.text === '' && c.toolCalls.length > 0 ? null : c.text,
    refusal: null,
  };
  // Reasoning an OpenAI-compatible server showed (events recorded before it was kept have none).
  if (shownReasoning(c) !== '') out.reasoning_content = shownReasoning(c);
  if (c.toolCalls.length > 0) {
    out.tool_calls = c.toolCalls.map((t) => ({
      id: t.id,
      type: 'function',
      function: { name: t.name, arguments: t.arguments },
    }));
  }
  return out;
}

export function chatBody(head: AnswerHead, choices: LlmChoice[], usage: JsonValue): JsonValue {
  return {
    ...chatHead(head, 'chat.completion'),
    choices: choices.map((c) => ({
      index: c.index,
      message: message(c),
      logprobs: null,
      finish_reason: c.finishReason,
    })),
    usage,
  };
}

const shownReasoning = (c: LlmChoice): string => (typeof c.reasoning === 'string' ? c.reasoning : '');

/** Deltas of one choice after its role chunk: reasoning pieces, text pieces, then each tool call. */
function chatDeltas(c: LlmChoice): JsonObject[] {
  const out: JsonObject[] = [
    ...textPieces(shownReasoning(c)).map((reasoning_content) => ({ reasoning_content })),
    ...textPieces(c.text).map((content) => ({ content })),
  ];
  for (const [k, call] of c.toolCalls.entries()) {
    out.push({
      tool_calls: [{ index: k, id: call.id, type: 'function', function: { name: call.name, arguments: '' } }],
    });
    for (let at = 0; at < call.arguments.length; at += ARGUMENT_PIECE) {
      out.push({
        tool_calls: [{ index: k, function: { arguments: call.arguments.slice(at, at + ARGUMENT_PIECE) } }],
      });
    }
  }
  return out;
}

export function chatStream(head: AnswerHead, choices: LlmChoice[], usage: JsonValue | null): string[] {
  const base = chatHead(head, 'chat.completion.chunk');
  const withUsage = usage !== null;
  const chunk = (list: JsonValue[]) =>
    sseEvent({ ...base, choices: list, ...(withUsage ? { usage: null } : {}) });
  const delta = (index: number, d: JsonObject, finish: string | null = null) => ({
    index,
    delta: d,
    logprobs: null,
    finish_reason: finish,
  });
  const events = choices.map((c) =>
    chunk([delta(c.index, { role: 'assistant', content: '', refusal: null })]),
  );
  const pieces = choices.map(chatDeltas);
  const longest = Math.max(0, ...pieces.map((p) => p.length));
  for (let step = 0; step < longest; step++) {
    for (const [i, c] of choices.entries()) {
      const piece = pieces[i]![step];
      if (piece !== undefined) events.push(chunk([delta(c.index, piece)]));
    }
  }
  for (const c of choices) events.push(chunk([delta(c.index, {}, c.finishReason)]));
  if (withUsage) events.push(sseEvent({ ...base, choices: [], usage }));
  events.push(sseEvent('[DONE]'));
  return events;
}

function completionHead(head: AnswerHead): JsonObject {
  return {
    id: head.id ?? `cmpl-rerun-${head.requestId}`,
    object: 'text_completion',
    created: head.created,
    model: head.model,
    ...head.extra,
  };
}

export function completionBody(head: AnswerHead, choices: LlmChoice[], usage: JsonValue): JsonValue {
  return {
    ...completionHead(head),
    choices: choices.map((c) => ({
      text: c.text,
      index: c.index,
      logprobs: null,
      finish_reason: c.finishReason,
    })),
    usage,
  };
}

export function completionStream(head: AnswerHead, choices: LlmChoice[], usage: JsonValue | null): string[] {
  const base = completionHead(head);
  const chunk = (index: number, text: string, finish: string | null) =>
    sseEvent({ ...base, choices: [{ text, index, logprobs: null, finish_reason: finish }] });
  const pieces = choices.map((c) => textPieces(c.text));
  const events: string[] = [];
  const longest = Math.max(0, ...pieces.map((p) => p.length));
  for (let step = 0; step < longest; step++) {
    for (const [i, c] of choices.entries()) {
      const piece = pieces[i]![step];
      if (piece !== undefined) events.push(chunk(c.index, piece, null));
    }
  }
  for (const c of choices) events.push(chunk(c.index, '', c.finishReason));
  if (usage !== null) events.push(sseEvent({ ...base, choices: [], usage }));
  events.push(sseEvent('[DONE]'));
  return events;
}

export function responsesBody(head: AnswerHead, choices: LlmChoice[], usage: JsonValue): JsonValue {
  const id = head.id ?? `resp_rerun_${head.requestId}`;
  const choice = choices[0];
  const output: JsonValue[] = [];
  if (choice && (choice.text !== '' || choice.toolCalls.length === 0)) {
    output.push({
      id: `msg_${id}`,
      type: 'message',
      role: 'assistant',
      status: 'completed',
      content: [{ type: 'output_text', annotations: [], text: choice?.text ?? '' }],
    });
  }
  for (const [k, call] of (choice?.toolCalls ?? []).entries()) {
    output.push({
      id: `fc_${id}_${k}`,
      type: 'function_call',
      call_id: call.id,
      name: call.name,
      arguments: call.arguments,
      status: 'completed',
    });
  }
  return {
    id,
    object: 'response',
    created_at: head.created,
    status: choice?.finishReason === 'incomplete' ? 'incomplete' : 'completed',
    model: head.model,
    output,
    usage,
  };
}

/** The Responses stream reduced to what rebuilds the answer: created, text deltas, completed. */
export function responsesStream(response: JsonObject): string[] {
  let sequence = 0;
  const event = (type: string, fields: JsonObject) =>
    sseEvent({ type, sequence_number: sequence++, ...fields }, type);
  const events = [
    event('response.created', { response: { ...response, status: 'in_progress', output: [] } }),
  ];
  const output = Array.isArray(response.output) ? response.output : [];
  for (const [outputIndex, item] of output.entries()) {
    if (typeof item !== 'object' || item === null || Array.isArray(item) || item.type !== 'message') continue;
    const content = Array.isArray(item.content) ? item.content : [];
    for (const [contentIndex, part] of content.entries()) {
      const text = typeof part === 'object' && part !== null && !Array.isArray(part) ? part.text : null;
      for (const delta of textPieces(typeof text === 'string' ? text : '')) {
        events.push(
          event('response.output_text.delta', {
            item_id: item.id ?? null,
            output_index: outputIndex,
            content_index: contentIndex,
            delta,
          }),
        );
      }
    }
  }
  const done = response.status === 'incomplete' ? 'response.incomplete' : 'response.completed';
  events.push(event(done, { response }));
  return events;
}
