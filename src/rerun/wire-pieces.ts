// The pieces every rebuilt answer shares: its identity (the recorded id, time and model where the
// recording has them), word-sized text chunks, and SSE framing.
import type { JsonObject, JsonValue } from '../core/events.js';

/** The identity of the rebuilt answer: the recorded id, time and model where the recording has them. */
export interface AnswerHead {
  readonly id: string | null;
  readonly created: number;
  readonly model: string;
  readonly requestId: string;
  readonly extra: JsonObject;
}

/** Splits text into word-sized pieces whose concatenation is the text. */
export function textPieces(text: string): string[] {
  return text.match(/\S+\s*|\s+/g) ?? [];
}

/** One SSE event: `data:` only (OpenAI chat and completions) or with an `event:` name. */
export function sseEvent(data: JsonValue | string, name?: string): string {
  const line = `data: ${typeof data === 'string' ? data : JSON.stringify(data)}\n\n`;
  return name === undefined ? line : `event: ${name}\n${line}`;
}
