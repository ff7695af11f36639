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
  let text = reply.text ?? '';
  let cutReason: DemoFinishReason | null = null;
  const stopAt = firstStop(text, prompt.stop);
  if (stopAt !== null) {
    text = text.slice(0, stopAt);
    cutReason = 'stop';
  }
  if (prompt.maxTokens !== null) {
    const tokens = splitTokens(text);
    if (tokens.length > prompt.maxTokens) {
      text = tokens.slice(0, prompt.maxTokens).join('');
      cutReason = 'length';
    }
  }
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
  const outputTokens =
    countTokens(text) + toolCalls.reduce((sum, c) => sum + countTokens(c.arguments) + 1, 0);
  return { index, text, reasoning: reply.reasoning ?? '', toolCalls, finishReason, outputTokens };
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
