// The prompt of a request as one readable text, for saying where a re-run diverges from the
// recording: chat and Anthropic messages as `role: text` lines (tool calls and results included),
// a completion's prompt, a response's instructions and input. Anything else: the canonical body.

import { canonicalJson } from '../core/canonical-json.js';
import type { JsonValue } from '../core/events.js';

type Obj = { [key: string]: JsonValue };
const isObj = (v: JsonValue | undefined): v is Obj =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

function partText(part: JsonValue): string {
  if (typeof part === 'string') return part;
  if (Array.isArray(part)) return part.map(partText).join('');
  if (!isObj(part)) return part === null ? '' : String(part);
  if (typeof part.text === 'string') return part.text;
  if (part.type === 'tool_use')
    return `[tool_use ${canonicalJson(part.name ?? null)} ${canonicalJson(part.input ?? null)}]`;
  if (part.type === 'tool_result') return `[tool_result ${partText(part.content ?? null)}]`;
  return canonicalJson(part);
}

function messageLine(m: JsonValue): string {
  if (!isObj(m)) return canonicalJson(m);
  const role = typeof m.role === 'string' ? m.role : '?';
  let text = partText(m.content ?? null);
  if (Array.isArray(m.tool_calls)) {
    for (const call of m.tool_calls) {
      const fn = isObj(call) && isObj(call.function) ? call.function : {};
      text += ` [tool_call ${canonicalJson(fn.name ?? null)} ${canonicalJson(fn.arguments ?? null)}]`;
    }
  }
  return `${role}: ${text}`;
}

export function promptText(body: JsonValue): string {
  if (!isObj(body)) return canonicalJson(body);
  const lines: string[] = [];
  if (body.system !== undefined) lines.push(`system: ${partText(body.system)}`);
  if (body.instructions !== undefined) lines.push(`instructions: ${partText(body.instructions)}`);
  if (Array.isArray(body.messages)) lines.push(...body.messages.map(messageLine));
  else if (body.prompt !== undefined) lines.push(partText(body.prompt));
  else if (typeof body.input === 'string') lines.push(body.input);
  else if (Array.isArray(body.input)) lines.push(...body.input.map(messageLine));
  else if (lines.length === 0) return canonicalJson(body);
  return lines.join('\n');
}

/** The request's parameters: every top-level field but the prompt's, as canonical JSON by name. */
export function parameters(body: JsonValue): Map<string, string> {
  const out = new Map<string, string>();
  if (!isObj(body)) return out;
  for (const [k, v] of Object.entries(body)) {
    if (['messages', 'prompt', 'input', 'system', 'instructions'].includes(k)) continue;
    out.set(k, canonicalJson(v));
  }
  return out;
}
