// A held action as a CLI reviewer reads it before approving: whole, as the ledger recorded it
// (masked), from GET /api/sessions/:session/approvals/:approval/action, the route the console's card
// reads. The request's own summary is one line cut at 400 characters: a statement padded past that
// point (`… where id = 1 /* 400 characters */ or true`) showed a harmless beginning. Every recorded
// line is shown inert under a `│ ` gutter, so recorded text can never pass for a line of Vigil's own.
import type { JsonObject, JsonValue } from '../core/events.js';
import { inertBlock, inertLine } from '../core/inert-text.js';
import { isJsonObject } from '../core/json-read.js';
import type { ApprovalRecord } from '../core/ports.js';
import type { ApiClient } from './api-client.js';

export type HeldAction =
  | { readonly state: 'shown'; readonly action: JsonObject }
  | { readonly state: 'missing'; readonly problem: string };

/** The whole held action of a request of kind `action`; null for an access or break-glass request. */
export async function readHeldAction(client: ApiClient, r: ApprovalRecord): Promise<HeldAction | null> {
  if (r.kind !== 'action') return null;
  try {
    const { action } = await client.call<{ action: JsonValue | null }>(
      'GET',
      `/api/sessions/${encodeURIComponent(r.sessionId)}/approvals/${encodeURIComponent(r.id)}/action`,
    );
    return isJsonObject(action)
      ? { state: 'shown', action }
      : { state: 'missing', problem: 'the ledger no longer holds it (purged)' };
  } catch (err) {
    const e = err as Error & { code?: string };
    return { state: 'missing', problem: `${e.message}${e.code ? ` [${e.code}]` : ''}` };
  }
}

const GUTTER = '│ ';

/** A recorded text, line breaks kept, each line under the gutter. */
function block(text: string, indent: string): string[] {
  return inertBlock(text)
    .split('\n')
    .map((line) => `${indent}${GUTTER}${line}`);
}

function field(key: string, value: JsonValue, indent: string): string[] {
  const name = `${indent}${inertLine(key)}`;
  if (typeof value === 'string')
    return value.includes('\n') ? [name, ...block(value, `${indent}  `)] : [`${name}: ${inertLine(value)}`];
  if (value === null || typeof value !== 'object') return [`${name}: ${JSON.stringify(value)}`];
  if (Array.isArray(value)) {
    if (value.length === 0) return [`${name}: []`];
    return [name, ...value.flatMap((item, i) => field(`[${i}]`, item, `${indent}  `))];
  }
  const entries = Object.entries(value);
  if (entries.length === 0) return [`${name}: {}`];
  return [name, ...entries.flatMap(([k, v]) => field(k, v, `${indent}  `))];
}

/**
 * The statement or command first, always as a block (what runs, exactly, line by line), then every
 * other field (a statement's parameters, a tool's arguments, an HTTP request's method, path and
 * destination, a prompt's messages): what runs is all of it.
 */
export function describeHeldAction(held: HeldAction): string {
  if (held.state === 'missing')
    return `action     NOT SHOWN: the whole action could not be read: ${inertLine(held.problem)}`;
  const lines = ['action     whole, as recorded (masked):'];
  let rest = held.action;
  for (const key of ['statement', 'command'] as const) {
    const main = held.action[key];
    if (typeof main === 'string') {
      lines.push(`  ${key}`, ...block(main, '    '));
      const { [key]: _main, ...others } = held.action;
      rest = others;
      break;
    }
  }
  for (const [key, value] of Object.entries(rest)) lines.push(...field(key, value, '  '));
  return lines.join('\n');
}
