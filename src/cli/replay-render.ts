// Renders a session's events as a chronological transcript: who, each prompt, each response, timing.
// Everything recorded is untrusted and shown inert (core/inert-text.ts): fields on an event's line are
// escaped to one line, multi-line content is indented under it, so only Vigil's own event lines
// start at the left margin and recorded text cannot pass for one.
import type { JsonValue, StoredEvent } from '../core/events.js';
import { inertBlock, inertJson, inertLine } from '../core/inert-text.js';
import { indent } from './format.js';
import { describeTerminalEvent } from './terminal-transcript.js';

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

function text(content: unknown): string {
  if (typeof content === 'string') return content;
  if (Array.isArray(content))
    return content.map((p) => (isObj(p) && typeof p.text === 'string' ? p.text : '')).join('');
  return content === undefined || content === null ? '' : JSON.stringify(content);
}

/** One message; its later lines are indented so its content cannot pass for another role's turn. */
function turn(role: string, content: string): string {
  return `${role}: ${content.replace(/\n/g, '\n  ')}`;
}

/** The part of a request that is new: messages after the last assistant turn, or the prompt. */
export function promptOf(body: JsonValue): string {
  if (!isObj(body)) return '';
  if (Array.isArray(body.messages)) {
    const messages = (body.messages as unknown[]).filter(isObj);
    let start = 0;
    messages.forEach((m, i) => {
      if (m.role === 'assistant') start = i + 1;
    });
    const lines = messages.slice(start).map((m) => turn(String(m.role), text(m.content)));
    if (typeof body.system === 'string' && start === 0) lines.unshift(turn('system', body.system));
    return lines.join('\n');
  }
  if (body.prompt !== undefined) return text(body.prompt);
  if (body.input !== undefined) return text(body.input);
  return '';
}

/** A recorded value on an event's line. */
const field = (value: unknown): string => inertLine(String(value));

/** Recorded multi-line content under an event's line, every line indented. */
const block = (text: string): string => indent(inertBlock(text));

/** A value that may span lines, after a label: lines past the first are indented. */
const trailing = (text: string): string => inertBlock(text).replace(/\n/g, '\n    ');

function describe(e: StoredEvent): string {
  const p = e.payload;
  if (p === null) return '(payload purged by retention)';
  switch (e.type) {
    case 'session.start':
      return `session started by ${field(e.identity.subject)} on ${field(e.connection)} (${field(p.protocol ?? '')})`;
    case 'session.end':
      return `session ended: ${field(p.reason ?? '')}${p.incomplete ? ' (incomplete)' : ''}`;
    case 'llm.request':
      return `prompt → ${field(p.model ?? '?')} (${field(p.api)}${p.stream ? ', streamed' : ''}${
        Number(p.n) > 1 ? `, n=${field(p.n)}` : ''
      })${approvalNote(p)}\n${block(promptOf(p.body as JsonValue))}`;
    case 'llm.response': {
      const choices = Array.isArray(p.choices) ? (p.choices as unknown[]).filter(isObj) : [];
      const timing = `${p.ttftMs === null ? '' : `ttft ${field(p.ttftMs)} ms, `}${field(p.durationMs)} ms`;
      // The provider's ids, when kept: what its own logs know the call by.
      const ids = [p.providerId, p.upstreamRequestId].filter((v) => typeof v === 'string' && v !== '');
      const head = `response ${field(p.status)} (${timing}${ids.length > 0 ? `, ${ids.map(field).join(', ')}` : ''})${p.partial ? ' PARTIAL' : ''}`;
      const err = isObj(p.error)
        ? `\n${block(`error ${String(p.error.code)}: ${String(p.error.message)}`)}`
        : '';
      const body = choices
        .map((c) => {
          const tools = Array.isArray(c.toolCalls)
            ? c.toolCalls.filter(isObj).map((t) => `\n  tool call ${field(t.name)}(${field(t.arguments)})`)
            : [];
          const label = choices.length > 1 ? `[${field(c.index)}] ` : '';
          const finish = c.finishReason ? `  ⟨${field(c.finishReason)}⟩` : '';
          // The model's shown reasoning, before its answer (absent from older events).
          const reasoning =
            typeof c.reasoning === 'string' && c.reasoning !== ''
              ? `(reasoning) ${inertBlock(c.reasoning)}\n`
              : '';
          return indent(`${label}${reasoning}${inertBlock(String(c.text))}${tools.join('')}${finish}`);
        })
        .join('\n');
      return `${head}${err}${body ? `\n${body}` : ''}`;
    }
    case 'db.query':
      return `query: ${trailing(String(p.statement ?? ''))}${Array.isArray(p.parameters) && p.parameters.length ? ` ${inertJson(p.parameters)}` : ''}${approvalNote(p)}`;
    case 'db.result': {
      const status = p.sqlstate
        ? `ERROR ${field(p.sqlstate)}: ${field(p.error_message ?? '')}`
        : field(p.command_tag ?? '');
      const rows =
        Array.isArray(p.rows) && p.rows.length
          ? `\n${indent(p.rows.map((r) => inertJson(r)).join('\n'))}`
          : '';
      return `result: ${status} (${field(p.row_count ?? 0)} rows, ${field(p.duration_ms ?? '?')} ms)${rows}`;
    }
    case 'db.copy_data': {
      // The data of a COPY FROM STDIN, committed before the server read its end (copy-in-commit.ts).
      const c = (p.copy ?? {}) as Record<string, JsonValue>;
      const rows =
        Array.isArray(p.rows) && p.rows.length
          ? `\n${indent(p.rows.map((r) => inertJson(r)).join('\n'))}`
          : '';
      const lines = c.lines !== undefined ? `${field(c.lines)} lines, ` : '';
      return `copy data: ${lines}${field(c.bytes ?? 0)} bytes, sha256 ${field(c.sha256 ?? '?')} (${field(c.ended ?? '?')})${rows}`;
    }
    case 'db.cancel': {
      // What the cancel met: a review it withdrew, a statement it stopped, or nothing running.
      const met = p.held
        ? 'withdraws the held statement'
        : p.in_flight
          ? 'statement running'
          : 'nothing running';
      return `CANCEL requested from ${field(p.peer ?? 'an unknown address')} (${met})`;
    }
    case 'policy.decision':
      return `${field(String(p.action).toUpperCase())} by rule ${field(p.rule)}: ${field(p.reason)}${p.break_glass ? ` (break-glass ${field(p.break_glass)})` : ''}`;
    case 'approval.requested':
      return `HELD for approval ${field(p.approval_id)}${p.rule ? ` by rule ${field(p.rule)}` : ''}: ${field(p.summary ?? '')} (${field(p.required)} of ${Array.isArray(p.approvers) ? field(p.approvers.join(', ')) : '?'}, until ${field(p.expires_at)})`;
    case 'approval.decided':
      return `${field(String(p.decision).toUpperCase())} ${field(p.approval_id)} (${field(p.outcome)}, ${field(p.approvals)}/${field(p.required)}): ${field(p.reason)}`;
    case 'access.granted':
      return `ACCESS GRANTED ${field(p.grant_id)} to ${field(p.subject)} on ${field(p.connection)} until ${field(p.expires_at)}${p.break_glass ? ' (break-glass)' : ''}`;
    case 'access.revoked':
      return `ACCESS REVOKED (${field(p.reason)})`;
    case 'access.denied':
      return `DENIED ${field(p.code)}: ${field(p.message)}`;
    default:
      return describeTerminalEvent(e) ?? `${field(e.type)} ${inertJson(p)}`;
  }
}

/** An action that ran after approval or under break-glass says so. */
function approvalNote(p: Readonly<Record<string, unknown>>): string {
  const approval = p.approval as { id?: string; approved_by?: string[] } | undefined;
  if (approval?.id)
    return ` [approved ${field(approval.id)} by ${field((approval.approved_by ?? []).join(', '))}]`;
  return p.break_glass ? ` [break-glass ${field(p.break_glass)}]` : '';
}

export function renderReplay(events: readonly StoredEvent[]): string {
  if (events.length === 0) return '';
  const start = Date.parse(events[0]!.time);
  return events
    .map((e) => {
      const offset = ((Date.parse(e.time) - start) / 1000).toFixed(3).padStart(8);
      return `+${offset}s  #${e.seq} ${field(e.identity.subject)}  ${describe(e)}`;
    })
    .join('\n');
}
