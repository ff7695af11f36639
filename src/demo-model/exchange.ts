// One request being answered, and the steps every generating route shares: pick up injected
// failures, ask the hook, wait, then either hand back the planned choices or misbehave.
import type { ServerResponse } from 'node:http';
import { requestedFailure } from './failures.js';
import { SseWriter, sendJson, sendJsonThenDie, sleep, untilClosed } from './http-io.js';
import { type PlannedChoice, planReplies } from './plan.js';
import type { Body } from './prompt-fields.js';
import type { DemoPrompt, DemoRespond } from './types.js';
import { badRequest, DemoRequestError, type WireFlavour } from './wire-errors.js';

export interface Exchange {
  readonly res: ServerResponse;
  readonly flavour: WireFlavour;
  readonly headers: Record<string, string>;
  readonly body: Body;
  readonly requestId: string;
  readonly chunkDelayMs: number;
  readonly tokensPerChunk: number;
  readonly respond: DemoRespond | undefined;
  /** Records that the server broke this exchange on purpose. */
  markFailed(): void;
  /** Headers every response of this flavour carries (request ids). */
  readonly responseHeaders: Record<string, string>;
}

export interface Answer {
  readonly choices: readonly PlannedChoice[];
  /** Content chunks to send before a deliberate death, or null. */
  readonly dieAfter: number | null;
}

/**
 * The planned answer, or null when the exchange was already dealt with (hung until the client left,
 * or reset). Errors (scripted or injected) are thrown as DemoRequestError.
 */
export async function prepareAnswer(
  ex: Exchange,
  prompts: readonly DemoPrompt[],
  toolIdPrefix: string,
): Promise<Answer | null> {
  const model = prompts[0]?.model ?? '';
  const injected = requestedFailure(ex.headers, model);
  if (injected && !injected.ok) throw badRequest(`Unknown failure spec '${injected.spec}'.`);
  const plan = await planReplies(prompts, ex.respond, injected?.reply ?? null, toolIdPrefix);
  await sleep(plan.delayMs);
  if (plan.kind === 'error') throw new DemoRequestError(plan.error);
  switch (plan.fail?.kind) {
    case 'hang':
      await untilClosed(ex.res);
      return null;
    case 'reset':
      ex.markFailed();
      ex.res.socket?.destroy();
      return null;
    case 'mid-stream':
      return { choices: plan.choices, dieAfter: plan.fail.afterChunks ?? 0 };
    default:
      return { choices: plan.choices, dieAfter: null };
  }
}

export function totalOutputTokens(choices: readonly PlannedChoice[]): number {
  return choices.reduce((sum, c) => sum + c.outputTokens, 0);
}

/**
 * For routes that generate nothing worth scripting (embeddings, models, count_tokens): applies an
 * injected failure from the header or model name. False when the exchange was dealt with here.
 */
export async function applyInjectedFailure(ex: Exchange, model: string, body: unknown): Promise<boolean> {
  const injected = requestedFailure(ex.headers, model);
  if (injected === null) return true;
  if (!injected.ok) throw badRequest(`Unknown failure spec '${injected.spec}'.`);
  const { reply } = injected;
  await sleep(reply.delayMs ?? 0);
  if (reply.error) throw new DemoRequestError(reply.error);
  switch (reply.fail?.kind) {
    case 'hang':
      await untilClosed(ex.res);
      return false;
    case 'reset':
      ex.markFailed();
      ex.res.socket?.destroy();
      return false;
    case 'mid-stream':
      await sendJsonThenDie(ex.res, body, ex.responseHeaders, ex.markFailed);
      return false;
    default:
      return true;
  }
}

/** A whole (non-streamed) answer: sent, or cut short on purpose when the plan says so. */
export async function sendAnswerBody(ex: Exchange, answer: Answer, body: unknown): Promise<void> {
  if (answer.dieAfter !== null) await sendJsonThenDie(ex.res, body, ex.responseHeaders, ex.markFailed);
  else sendJson(ex.res, 200, body, ex.responseHeaders);
}

/** The event stream of a streamed answer, pacing and planned death included. */
export function answerStream(ex: Exchange, answer: Answer): SseWriter {
  return new SseWriter(ex.res, {
    chunkDelayMs: ex.chunkDelayMs,
    dieAfterContent: answer.dieAfter,
    markFailed: ex.markFailed,
  });
}
