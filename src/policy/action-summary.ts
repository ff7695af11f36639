// A one-line account of a held action for reviewers (CLI listing, webhook message): the statement
// or command itself, or the model and the end of the prompt. Built from the masked payload only.
import type { ActionDescriber } from '../core/actions.js';
import type { EventType, JsonObject } from '../core/events.js';

const MAX = 400;

export function summarizeAction(type: EventType, payload: JsonObject, describe: ActionDescriber): string {
  const facts = describe(type, payload);
  const text = facts.text.replace(/\s+/g, ' ').trim();
  if (type === 'llm.request') {
    // The latest words of a prompt are what it asks now; earlier turns are context.
    const tail = text.length > MAX ? `…${text.slice(-MAX)}` : text;
    return `${facts.model ?? 'model'}: ${tail}`;
  }
  return text.length > MAX ? `${text.slice(0, MAX)}…` : text || type;
}
