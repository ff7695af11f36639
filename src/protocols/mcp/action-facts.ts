// How an MCP tool call reads to policy: the tool is in `tools`, and the text a rule's `pattern`
// matches is `tool {canonical arguments}`, so a rule can look at argument values (a path outside a
// directory, a SQL write). Other readings are alternate texts: the arguments with their file paths
// resolved (argument-readings.ts); the JSON with whitespace and control characters written as
// themselves rather than escaped, since the tool reads `rm\t-rf` as a tab and a pattern's `\s`
// must too; and that text as a model reads it (hidden characters, look-alike letters, digits for
// letters: policy/text-readings.ts), for arguments a tool hands on to a model or a person.
// Payloads come from clients: read defensively, never throw.
import { type ActionFacts, NO_FACTS } from '../../core/actions.js';
import { canonicalJson } from '../../core/canonical-json.js';
import type { EventType, JsonObject } from '../../core/events.js';
import { modelReadings } from '../../policy/text-readings.js';
import { argumentReadings } from './argument-readings.js';

export function describeMcpAction(type: EventType, payload: JsonObject): ActionFacts | null {
  if (type !== 'mcp.call') return null;
  const tool = typeof payload.tool === 'string' ? payload.tool : '';
  const args = payload.arguments ?? {};
  if (tool === '') return NO_FACTS;
  const text = `${tool} ${canonicalJson(args)}`;
  const unescaped = controlsUnescaped(text);
  const alternates = new Set([
    ...argumentReadings(args).map((a) => `${tool} ${canonicalJson(a)}`),
    unescaped,
    ...modelReadings([unescaped]),
  ]);
  alternates.delete(text);
  return { ...NO_FACTS, text, alternateTexts: [...alternates], tools: [tool] };
}

/** JSON escapes that JSON.stringify writes, the ones kept as they are being `\"` and `\\` (the text keeps its shape) and lone surrogates. */
const ESCAPE = /\\(?:[bfnrt"\\]|u[0-9a-f]{4})/g;
const CONTROL: Readonly<Record<string, string>> = { b: '\b', f: '\f', n: '\n', r: '\r', t: '\t' };

/** Canonical JSON with its escaped whitespace and control characters (`\n`, `\t`, `\u000b`) written as themselves. */
export function controlsUnescaped(json: string): string {
  if (!json.includes('\\')) return json;
  return json.replace(ESCAPE, (sequence) => {
    const letter = sequence[1]!;
    if (letter !== 'u') return CONTROL[letter] ?? sequence;
    const code = Number.parseInt(sequence.slice(2), 16);
    return code < 0x20 ? String.fromCharCode(code) : sequence;
  });
}
