// Reasoning to action: which model turn proposed a statement, command or tool call that was then
// run. Actions are matched, by the same identity, to replies given before them: an exact match of
// a statement in a code block or tool-call argument first, then containment anywhere in a reply.

import { TARGET_ACTION_TYPES } from '../core/actions.js';
import { canonicalJson } from '../core/canonical-json.js';
import { type EventContent, type Identity, sameIdentity } from '../core/events.js';
import { isJsonObject } from '../core/json-read.js';
import {
  canonicalArguments,
  codeBlocks,
  normalizeStatement,
  normalizeText,
  splitStatements,
} from './text.js';
import type { ReasoningTree } from './types.js';

/** The actions a model turn can propose (core's one list); each is linked by the text it runs. */
export const ACTION_TYPES = TARGET_ACTION_TYPES;
export type ActionType = (typeof TARGET_ACTION_TYPES)[number];

export const ACTION_EVIDENCE = ['trace', 'tool-call', 'code-block', 'text'] as const;
export type ActionEvidence = (typeof ACTION_EVIDENCE)[number];

export const ACTION_CONFIDENCE = { toolCall: 0.9, codeBlock: 0.85, text: 0.6, traceBonus: 0.05 } as const;

export interface ActionLink {
  actionSessionId: string;
  actionSeq: number;
  actionType: ActionType;
  /** The statement, command or `tool(arguments)` that was run. */
  action: string;
  nodeId: string;
  evidence: ActionEvidence;
  confidence: number;
}

export interface LinkActionsOptions {
  /** Actions in other sessions count only within this many ms after the reply (default 1 hour). */
  readonly windowMs?: number;
}

interface Proposal {
  readonly nodeId: string;
  readonly time: number;
  readonly sessionId: string;
  /** Who asked the model: only their own actions are linked to the turn (kind and subject). */
  readonly identity: Pick<Identity, 'subject' | 'kind'>;
  readonly traceId: string | null;
  readonly evidence: 'tool-call' | 'code-block';
}

/** Every string a tool call's arguments carry (a `query`, a `command`), to match statements too. */
function argumentStrings(args: string): string[] {
  const out: string[] = [];
  const walk = (v: unknown) => {
    if (typeof v === 'string') out.push(v);
    else if (Array.isArray(v)) v.forEach(walk);
    else if (v && typeof v === 'object') Object.values(v).forEach(walk);
  };
  try {
    walk(JSON.parse(args));
  } catch {
    out.push(args);
  }
  return out;
}

function actionText(e: EventContent): { type: ActionType; text: string; key: string } | null {
  const p = e.payload;
  if (!p) return null;
  if (e.type === 'db.query' && typeof p.statement === 'string') {
    return { type: e.type, text: p.statement, key: normalizeStatement(p.statement) };
  }
  // A remote command and a line typed at a shell prompt both name what ran in `command`.
  if (
    (e.type === 'ssh.exec' || e.type === 'ssh.command') &&
    typeof p.command === 'string' &&
    p.command !== ''
  ) {
    return { type: e.type, text: p.command, key: normalizeStatement(p.command) };
  }
  if (e.type === 'http.request' && typeof p.path === 'string') {
    // An HTTP request is proposed by its path: a tool call's `path`/`url` argument, or a reply naming it.
    const target = `${p.path}${typeof p.query === 'string' ? p.query : ''}`;
    const method = typeof p.method === 'string' ? p.method : 'GET';
    return { type: e.type, text: `${method} ${target}`, key: normalizeStatement(target) };
  }
  if (e.type === 'mcp.call' && typeof p.tool === 'string') {
    const args = canonicalJson(p.arguments ?? {});
    return { type: e.type, text: `${p.tool}(${args})`, key: `${p.tool}(${args})` };
  }
  return null;
}

function traceOf(e: EventContent): string | null {
  const p = e.payload;
  if (!p) return null;
  if (isJsonObject(p.trace) && typeof p.trace.traceId === 'string') return p.trace.traceId;
  if (typeof p.traceparent === 'string') return p.traceparent.split('-')[1] ?? null;
  return null;
}

export function linkActions(
  tree: ReasoningTree,
  events: readonly EventContent[],
  options: LinkActionsOptions = {},
): ActionLink[] {
  const windowMs = options.windowMs ?? 3_600_000;
  // Only action events can be linked. A reasoning session without any (most of them) skips the
  // index of every reply below (normalized text, code blocks): some 5% of a 10,000-call rebuild.
  const actionEvents = events.filter((e) => (ACTION_TYPES as readonly string[]).includes(e.type));
  if (actionEvents.length === 0) return [];
  const requestEvents = new Map<string, EventContent>();
  for (const e of events) {
    if (e.type === 'llm.request' && e.payload && typeof e.payload.requestId === 'string') {
      requestEvents.set(e.payload.requestId, e);
    }
  }
  const responseTimes = new Map<string, number>();
  for (const e of events) {
    if (e.type === 'llm.response' && e.payload && typeof e.payload.requestId === 'string') {
      responseTimes.set(e.payload.requestId, Date.parse(e.time));
    }
  }

  const exact = new Map<string, Proposal[]>();
  const replies: { proposal: Proposal; normalized: string }[] = [];
  for (const node of tree.nodes) {
    const request = requestEvents.get(node.requestId);
    if (!request) continue;
    const trace =
      request.payload && isJsonObject(request.payload.trace) ? request.payload.trace.traceId : null;
    const base = {
      nodeId: node.id,
      time: responseTimes.get(node.requestId) ?? Date.parse(node.time),
      sessionId: request.sessionId,
      identity: request.identity,
      traceId: typeof trace === 'string' ? trace : null,
    };
    const add = (key: string, evidence: Proposal['evidence']) => {
      const list = exact.get(key) ?? [];
      list.push({ ...base, evidence });
      exact.set(key, list);
    };
    for (const call of node.toolCalls) {
      add(`${call.name}(${canonicalArguments(call.arguments)})`, 'tool-call');
      for (const s of argumentStrings(call.arguments)) {
        for (const statement of splitStatements(s)) add(normalizeStatement(statement), 'tool-call');
      }
    }
    for (const block of codeBlocks(node.response)) {
      for (const statement of splitStatements(block)) add(normalizeStatement(statement), 'code-block');
      add(normalizeStatement(block), 'code-block');
    }
    replies.push({ proposal: { ...base, evidence: 'code-block' }, normalized: normalizeText(node.response) });
  }

  const links: ActionLink[] = [];
  for (const e of actionEvents) {
    const action = actionText(e);
    if (!action || action.key === '') continue;
    const at = Date.parse(e.time);
    const trace = traceOf(e);
    const eligible = (p: Proposal) =>
      sameIdentity(p.identity, e.identity) &&
      p.time <= at &&
      (p.sessionId === e.sessionId || (trace !== null && p.traceId === trace) || at - p.time <= windowMs);
    const latest = <T extends { time: number }>(list: T[]) =>
      list.reduce((a, b) => (b.time >= a.time ? b : a));
    const bonus = (p: Proposal) => (trace !== null && p.traceId === trace ? ACTION_CONFIDENCE.traceBonus : 0);

    const matches = (exact.get(action.key) ?? []).filter(eligible);
    if (matches.length > 0) {
      const best = latest(matches);
      const base = best.evidence === 'tool-call' ? ACTION_CONFIDENCE.toolCall : ACTION_CONFIDENCE.codeBlock;
      links.push({
        actionSessionId: e.sessionId,
        actionSeq: e.seq,
        actionType: action.type,
        action: action.text,
        nodeId: best.nodeId,
        evidence: bonus(best) > 0 ? 'trace' : best.evidence,
        confidence: Math.min(1, base + bonus(best)),
      });
      continue;
    }
    // Containment over the replies of this identity only: a bounded candidate set.
    const contained = replies.filter((r) => eligible(r.proposal) && r.normalized.includes(action.key));
    if (contained.length > 0) {
      const best = latest(contained.map((r) => r.proposal));
      links.push({
        actionSessionId: e.sessionId,
        actionSeq: e.seq,
        actionType: action.type,
        action: action.text,
        nodeId: best.nodeId,
        evidence: 'text',
        confidence: ACTION_CONFIDENCE.text + bonus(best),
      });
    }
  }
  return links;
}
