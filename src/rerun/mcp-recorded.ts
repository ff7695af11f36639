// The MCP side of a recording: the tools its listings showed (mcp.tools), its tool calls (mcp.call)
// and its resource reads and prompt gets (mcp.read, mcp.prompt), each with the answer recorded for
// it (mcp.result), in the order they were made, across the MCP sessions given. A refused call is
// answered with its refusal. A request with no answer (the client left, a purged payload) cannot
// be answered and is kept out, as a model request without a response is.

import { canonicalJson } from '../core/canonical-json.js';
import type { JsonObject, JsonValue, StoredEvent } from '../core/events.js';
import { checkRecordedPayloads } from './recording-integrity.js';

export interface RecordedTool {
  readonly name: string;
  /** The definition the client was shown: name, title, description, schemas, annotations. */
  readonly definition: JsonObject;
}

/** What a recorded call answered: a tool result, or a JSON-RPC error. */
export type RecordedOutcome =
  | { readonly kind: 'result'; readonly result: JsonObject }
  | { readonly kind: 'error'; readonly code: number; readonly message: string; readonly data: JsonValue };

export interface RecordedToolCall {
  /** 1-based position among the recorded tool calls of all the MCP sessions, in recorded order. */
  readonly position: number;
  readonly session: string;
  readonly connection: string;
  readonly callId: string;
  readonly tool: string;
  /** The arguments as recorded (masked). */
  readonly arguments: JsonObject;
  readonly key: string;
  readonly outcome: RecordedOutcome;
}

export interface RecordedMcp {
  readonly tools: RecordedTool[];
  readonly calls: RecordedToolCall[];
  /** Recorded calls with nothing to serve. */
  readonly unanswerable: number[];
  /**
   * `resources/read` and `prompts/get`, shaped as calls so one matcher serves both: the method is
   * the "tool", `{uri}` or `{name, arguments}` the arguments. Positioned among reads only.
   */
  readonly reads: RecordedToolCall[];
  /** Recorded reads with nothing to serve. */
  readonly unanswerableReads: number[];
  /** The last recorded answer of each resource or prompt listing (mcp.listing), as the client got it. */
  readonly listings: RecordedListings;
}

export interface RecordedListings {
  readonly resources: JsonObject[] | null;
  readonly resourceTemplates: JsonObject[] | null;
  readonly prompts: JsonObject[] | null;
}

/** Which member of which listing's result holds its items. */
const LISTED: Readonly<Record<string, readonly [keyof RecordedListings, string]>> = {
  'resources/list': ['resources', 'resources'],
  'resources/templates/list': ['resourceTemplates', 'resourceTemplates'],
  'prompts/list': ['prompts', 'prompts'],
};

/** What a read asked for, as the matcher keys it: `{uri}` for a resource, `{name, arguments}` for a prompt. */
export function readArguments(method: ReadMethod, params: JsonObject): JsonObject {
  return method === 'resources/read'
    ? { uri: typeof params.uri === 'string' ? params.uri : '' }
    : {
        name: typeof params.name === 'string' ? params.name : '',
        arguments: isObj(params.arguments) ? params.arguments : {},
      };
}

export type ReadMethod = 'resources/read' | 'prompts/get';

/** Vigil's JSON-RPC codes for a refused request and an upstream failure. */
export const RPC_REFUSED = -32001;
const RPC_UPSTREAM = -32002;

const isObj = (v: JsonValue | undefined): v is JsonObject =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** The matching key of a tool call: its name and canonical (masked) arguments. */
export function toolCallKey(tool: string, args: JsonObject): string {
  return `${tool} ${canonicalJson(args)}`;
}

/** Each session's events, sessions in the order given. */
export function recordedMcp(sessions: readonly (readonly StoredEvent[])[]): RecordedMcp {
  const tools = new Map<string, RecordedTool>();
  const calls: RecordedToolCall[] = [];
  const unanswerable: number[] = [];
  const reads: RecordedToolCall[] = [];
  const unanswerableReads: number[] = [];
  const listings: { -readonly [K in keyof RecordedListings]: RecordedListings[K] } = {
    resources: null,
    resourceTemplates: null,
    prompts: null,
  };
  let position = 0;
  let readPosition = 0;
  for (const events of sessions) {
    checkRecordedPayloads(events);
    const readResults = new Map<string, JsonObject>();
    const results = new Map<string, JsonObject>();
    const denials = new Map<string, JsonObject>();
    let lastCall: string | null = null;
    for (const e of events) {
      if (e.type === 'mcp.call') lastCall = typeof e.payload?.call_id === 'string' ? e.payload.call_id : null;
      if (e.type === 'mcp.result' && typeof e.payload?.call_id === 'string')
        results.set(e.payload.call_id, e.payload);
      if (e.type === 'mcp.result' && typeof e.payload?.read_id === 'string')
        readResults.set(e.payload.read_id, e.payload);
      // A refused call is followed by its decision: the rule and the reason the client was told.
      const d = e.payload;
      if (e.type === 'policy.decision' && d?.subject_type === 'mcp.call' && d.action === 'deny' && lastCall)
        denials.set(lastCall, d);
    }
    for (const e of events) {
      if (e.type === 'mcp.tools' && e.payload) listing(e.payload, tools);
      if (e.type === 'mcp.listing') recordedListing(e.payload, listings);
      // A subscription is recorded as an mcp.read naming its method; it reads nothing to re-serve.
      const subscription = e.type === 'mcp.read' && typeof e.payload?.method === 'string';
      if ((e.type === 'mcp.read' && !subscription) || e.type === 'mcp.prompt') {
        readPosition++;
        const read = recordedRead(e, readPosition, readResults);
        if (read) reads.push(read);
        else unanswerableReads.push(readPosition);
      }
      if (e.type !== 'mcp.call') continue;
      position++;
      const p = e.payload;
      const result = typeof p?.call_id === 'string' ? results.get(p.call_id) : undefined;
      const denial = typeof p?.call_id === 'string' ? denials.get(p.call_id) : undefined;
      const outcome = result ? outcomeOf(result) : denial && p ? refusal(p, denial) : null;
      if (!p || typeof p.tool !== 'string' || !outcome) {
        unanswerable.push(position);
        continue;
      }
      const args = isObj(p.arguments) ? p.arguments : {};
      calls.push({
        position,
        session: e.sessionId,
        connection: e.connection,
        callId: String(p.call_id),
        tool: p.tool,
        arguments: args,
        key: toolCallKey(p.tool, args),
        outcome,
      });
    }
  }
  return { tools: [...tools.values()], calls, unanswerable, reads, unanswerableReads, listings };
}

/** Keeps a listing's items when its answer was a result; a later listing replaces an earlier one. */
function recordedListing(
  p: JsonObject | null,
  into: { -readonly [K in keyof RecordedListings]: RecordedListings[K] },
): void {
  const listed = typeof p?.method === 'string' ? LISTED[p.method] : undefined;
  if (!p || !listed || !isObj(p.result)) return;
  const [slot, member] = listed;
  const items = p.result[member];
  if (Array.isArray(items)) into[slot] = items.filter(isObj);
}

/** A recorded resource read or prompt get with its answer, or null when it has none to serve. */
function recordedRead(
  e: StoredEvent,
  position: number,
  results: ReadonlyMap<string, JsonObject>,
): RecordedToolCall | null {
  const p = e.payload;
  const readId = typeof p?.read_id === 'string' ? p.read_id : null;
  const answer = readId ? results.get(readId) : undefined;
  if (!p || !readId || !answer) return null;
  const outcome = isObj(answer.error)
    ? outcomeOf(answer)
    : isObj(answer.result)
      ? ({ kind: 'result', result: answer.result } as const)
      : null;
  if (!outcome) return null;
  const method: ReadMethod = e.type === 'mcp.read' ? 'resources/read' : 'prompts/get';
  const args = readArguments(method, p);
  return {
    position,
    session: e.sessionId,
    connection: e.connection,
    callId: readId,
    tool: method,
    arguments: args,
    key: toolCallKey(method, args),
    outcome,
  };
}

/** A later listing replaces a tool's definition; the first listing's order is kept. */
function listing(payload: JsonObject, tools: Map<string, RecordedTool>): void {
  if (!Array.isArray(payload.tools)) return;
  for (const t of payload.tools) {
    if (!isObj(t) || typeof t.name !== 'string' || t.hidden === true) continue;
    // Recorded before tool definitions were: the name alone, with an open input schema.
    const definition = isObj(t.definition) ? t.definition : { name: t.name, inputSchema: { type: 'object' } };
    tools.set(t.name, { name: t.name, definition: { ...definition, name: t.name } });
  }
}

/**
 * A call the gateway refused, refused again as the client was told: a refusal before policy (allow
 * lists, a changed tool) records its code on the call and its message as the decision's reason; a
 * policy denial is `policy_denied` with the rule and reason (pipeline.ts words it the same way).
 */
function refusal(call: JsonObject, decision: JsonObject): RecordedOutcome {
  const rule = typeof decision.rule === 'string' ? decision.rule : '';
  const reason = typeof decision.reason === 'string' ? decision.reason : '';
  if (typeof call.refused === 'string')
    return { kind: 'error', code: RPC_REFUSED, message: reason, data: { code: call.refused } };
  return {
    kind: 'error',
    code: RPC_REFUSED,
    message: `denied by rule ${rule}: ${reason}`,
    data: { code: 'policy_denied', rule },
  };
}

function outcomeOf(r: JsonObject): RecordedOutcome | null {
  if (isObj(r.error)) {
    const vigilCode = typeof r.error.code === 'string' ? r.error.code : null;
    // A Vigil failure records its own string code; the client saw it in error.data.code, with the
    // JSON-RPC code of an upstream failure or of a refusal (protocols/mcp/wire-errors.ts).
    const code =
      typeof r.error.code === 'number'
        ? r.error.code
        : vigilCode?.startsWith('upstream_')
          ? RPC_UPSTREAM
          : RPC_REFUSED;
    const message = typeof r.error.message === 'string' ? r.error.message : 'recorded error';
    const data = vigilCode !== null ? { code: vigilCode } : (r.error.data ?? null);
    return { kind: 'error', code, message, data };
  }
  if (!Array.isArray(r.content)) return null;
  const result: JsonObject = { content: r.content };
  if (r.structuredContent !== undefined) result.structuredContent = r.structuredContent;
  if (r.isError === true) result.isError = true;
  return { kind: 'result', result };
}
