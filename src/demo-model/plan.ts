// Turns the hook's answers (one per choice) into what every wire format needs: final text cut by
// stop sequences and max tokens, tool calls with ids and JSON arguments, a finish reason.
import { defaultReply } from './default-reply.js';
import { countTokens, splitTokens, stableId } from './text.js';
import type {
  DemoErrorReply,
  DemoFailure,
  DemoFinishReason,
  DemoPrompt,
  DemoReply,
  DemoRespond,
} from './types.js';

export interface PlannedToolCall {
  readonly id: string;
  readonly name: string;
  /** JSON text. */
  readonly arguments: string;
}

export interface PlannedChoice {
  readonly index: number;
  readonly text: string;
  /** The text as tokens (their join is `text`): what streams and logprobs are cut by. */
  readonly tokens: readonly string[];
  /** Reasoning shown before the text ('' for none). */
  readonly reasoning: string;
  readonly toolCalls: readonly PlannedToolCall[];
  readonly finishReason: DemoFinishReason;
  readonly outputTokens: number;
}

export type ReplyPlan =
  | { readonly kind: 'error'; readonly error: DemoErrorReply; readonly delayMs: number }
  | {
      readonly kind: 'answer';
      readonly choices: readonly PlannedChoice[];
      readonly fail: DemoFailure | null;
      readonly delayMs: number;
    };

/**
 * Asks `respond` (then the default) for every prompt, one per choice. `injected` comes from the
 * failure header or model name and overrides what the hook says about errors and failures.
 */
export async function planReplies(
  prompts: readonly DemoPrompt[],
  respond: DemoRespond | undefined,
  injected: DemoReply | null,
  toolIdPrefix: string,
): Promise<ReplyPlan> {
  const replies: DemoReply[] = [];
  for (const prompt of prompts) replies.push((await respond?.(prompt)) ?? defaultReply(prompt));
  const delayMs = (injected?.delayMs ?? 0) + Math.max(0, ...replies.map((r) => r.delayMs ?? 0));
  const error = injected?.error ?? replies.find((r) => r.error)?.error;
  if (error) return { kind: 'error', error, delayMs };
  const fail = injected?.fail ?? replies.find((r) => r.fail)?.fail ?? null;
  const choices = replies.map((reply, i) => finishChoice(prompts[i]!, reply, i, toolIdPrefix));
  return { kind: 'answer', choices, fail, delayMs };
}

function finishChoice(
  prompt: DemoPrompt,
  reply: DemoReply,
  index: number,
  toolIdPrefix: string,
): PlannedChoice {
  let tokens = reply.tokens ? [...reply.tokens] : splitTokens(reply.text ?? '');
  let cutReason: DemoFinishReason | null = null;
  const stopAt = firstStop(tokens.join(''), prompt.stop);
  if (stopAt !== null) {
    tokens = tokensBefore(tokens, stopAt);
    cutReason = 'stop';
  }
  if (prompt.maxTokens !== null && tokens.length > prompt.maxTokens) {
    tokens = tokens.slice(0, prompt.maxTokens);
    cutReason = 'length';
  }
  const text = tokens.join('');
  const toolCalls =
    cutReason === 'length'
      ? []
      : (reply.toolCalls ?? []).map((call, k) => ({
          id: call.id ?? stableId(toolIdPrefix, prompt.model, prompt.promptText, prompt.choiceIndex, k),
          name: call.name,
          arguments: typeof call.arguments === 'string' ? call.arguments : JSON.stringify(call.arguments),
        }));
  const finishReason =
    cutReason === 'length'
      ? 'length'
      : (reply.finishReason ?? (toolCalls.length > 0 ? 'tool_calls' : 'stop'));
  const outputTokens = tokens.length + toolCalls.reduce((sum, c) => sum + countTokens(c.arguments) + 1, 0);
  return { index, text, tokens, reasoning: reply.reasoning ?? '', toolCalls, finishReason, outputTokens };
}

/** The tokens that spell the first `length` characters of their join (the last one cut short). */
function tokensBefore(tokens: readonly string[], length: number): string[] {
  const out: string[] = [];
  let at = 0;
  for (const token of tokens) {
    if (at >= length) break;
    out.push(token.slice(0, length - at));
    at += token.length;
  }
  return out;
}

function firstStop(text: string, stops: readonly string[]): number | null {
  let best: number | null = null;
  for (const stop of stops) {
    if (stop === '') continue;
    const at = text.indexOf(stop);
    if (at >= 0 && (best === null || at < best)) best = at;
  }
  return best;
}
