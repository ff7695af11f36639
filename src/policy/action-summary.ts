// A short account of a held action for reviewers (CLI listing, webhook message): the statement
// or command itself, or the model and the end of the prompt. Built from the masked payload only.
import type { ActionDescriber } from '../core/actions.js';
import type { EventType, JsonObject } from '../core/events.js';

const MAX = 400;

export function summarizeAction(type: EventType, payload: JsonObject, describe: ActionDescriber): string {
  const facts = describe(type, payload);
  if (type === 'llm.request') {
    // The latest words of a prompt are what it asks now; earlier turns are context.
    const text = facts.text.replace(/\s+/g, ' ').trim();
    const tail = text.length > MAX ? `…${text.slice(-MAX)}` : text;
    return `${facts.model ?? 'model'}: ${tail}`;
  }
  // A line break ends a SQL `--` comment and a shell command: folded into a space, `… -- row 1`,
  // a break and `or true` read as if `or true` were commented out. Breaks stay (each display shows
  // them, the CLI as `\n`); other whitespace runs still fold into one space.
  const text = facts.text.replace(/[^\S\r\n]+/g, ' ').trim();
  return text.length > MAX ? `${text.slice(0, MAX)}…` : text || type;
}
