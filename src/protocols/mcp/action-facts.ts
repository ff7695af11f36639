// How an MCP tool call reads to policy: the tool is in `tools`, and the text a rule's `pattern`
// matches is `tool {canonical arguments}`, so a rule can look at argument values (a path outside a
// directory, a SQL write). The arguments with their file paths resolved are alternate texts
// (argument-readings.ts). Payloads come from clients: read defensively, never throw.
import { type ActionFacts, NO_FACTS } from '../../core/actions.js';
import { canonicalJson } from '../../core/canonical-json.js';
import type { EventType, JsonObject } from '../../core/events.js';
import { argumentReadings } from './argument-readings.js';

export function describeMcpAction(type: EventType, payload: JsonObject): ActionFacts | null {
  if (type !== 'mcp.call') return null;
  const tool = typeof payload.tool === 'string' ? payload.tool : '';
  const args = payload.arguments ?? {};
  if (tool === '') return NO_FACTS;
  const text = `${tool} ${canonicalJson(args)}`;
  const alternates = [...new Set(argumentReadings(args).map((a) => `${tool} ${canonicalJson(a)}`))];
  return { ...NO_FACTS, text, alternateTexts: alternates.filter((t) => t !== text), tools: [tool] };
}
