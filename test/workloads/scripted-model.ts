// The contract between a workload's scripted answers and whatever serves them (the local stub
// here, the project's demo model later): a pure function of the request and the choice index.
export interface ScriptedToolCall {
  readonly name: string;
  readonly arguments: string;
}

export interface ScriptedReply {
  readonly content: string | null;
  readonly toolCalls?: readonly ScriptedToolCall[];
  /** Reasoning shown before the reply, as OpenAI-compatible servers send it (`reasoning_content`). */
  readonly reasoning?: string;
}

export interface ScriptedRequest {
  readonly messages: readonly { role: string; content: string | null; tool_calls?: unknown }[];
  readonly n: number;
}

export type ScriptedModel = (request: ScriptedRequest, choiceIndex: number) => ScriptedReply;

/** The text of the last user message: what single-prompt workloads (ToT) send. */
export function lastUserText(request: ScriptedRequest): string {
  for (let i = request.messages.length - 1; i >= 0; i--) {
    const m = request.messages[i]!;
    if (m.role === 'user') return m.content ?? '';
  }
  return '';
}

/** Scripted "sampling" is varied but repeatable: the project's seeded PRNG. */
export { seededRandom } from '../../src/mask/synthetic.js';

export function seedOf(text: string, salt: number): number {
  let h = 2166136261 ^ salt;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 16777619);
  return h >>> 0;
}
