// Renders a session's events as a chronological transcript: who, each prompt, each response, timing.
import type { JsonValue, StoredEvent } from '../core/events.js';
import { indent } from './format.js';

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

function text(content: unknown): string {
  if (typeof content === 'string') return content;
  if (Array.isArray(content))
    return content.map((p) => (isObj(p) && typeof p.text === 'string' ? p.text : '')).join('');
  return content === undefined || content === null ? '' : JSON.stringify(content);
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
    const lines = messages.slice(start).map((m) => `${String(m.role)}: ${text(m.content)}`);
    if (typeof body.system === 'string' && start === 0) lines.unshift(`system: ${body.system}`);
    return lines.join('\n');
  }
  if (body.prompt !== undefined) return text(body.prompt);
  if (body.input !== undefined) return text(body.input);
  return '';
}

function describe(e: StoredEvent): string {
  const p = e.payload;
  if (p === null) return '(payload purged by retention)';
  switch (e.type) {
    case 'session.start':
      return `session started by ${e.identity.subject} on ${e.connection} (${String(p.protocol ?? '')})`;
    case 'session.end':
      return `session ended: ${String(p.reason ?? '')}${p.incomplete ? ' (incomplete)' : ''}`;
    case 'llm.request':
      return `prompt → ${String(p.model ?? '?')} (${String(p.api)}${p.stream ? ', streamed' : ''}${
        Number(p.n) > 1 ? `, n=${String(p.n)}` : ''
      })${approvalNote(p)}\n${indent(promptOf(p.body as JsonValue))}`;
    case 'llm.response': {
      const choices = Array.isArray(p.choices) ? (p.choices as unknown[]).filter(isObj) : [];
      const timing = `${p.ttftMs === null ? '' : `ttft ${String(p.ttftMs)} ms, `}${String(p.durationMs)} ms`;
      const head = `response ${String(p.status)} (${timing})${p.partial ? ' PARTIAL' : ''}`;
      const err = isObj(p.error)
        ? `\n${indent(`error ${String(p.error.code)}: ${String(p.error.message)}`)}`
        : '';
      const body = choices
        .map((c) => {
          const tools = Array.isArray(c.toolCalls)
            ? c.toolCalls.filter(isObj).map((t) => `\n  tool call ${String(t.name)}(${String(t.arguments)})`)
            : [];
          const label = choices.length > 1 ? `[${String(c.index)}] ` : '';
          return indent(
            `${label}${String(c.text)}${tools.join('')}${c.finishReason ? `  ⟨${String(c.finishReason)}⟩` : ''}`,
          );
        })
        .join('\n');
      return `${head}${err}${body ? `\n${body}` : ''}`;
    }
    case 'db.query':
      return `query: ${String(p.statement ?? '')}${Array.isArray(p.parameters) && p.parameters.length ? ` ${JSON.stringify(p.parameters)}` : ''}${approvalNote(p)}`;
    case 'db.result': {
      const status = p.sqlstate
        ? `ERROR ${String(p.sqlstate)}: ${String(p.error_message ?? '')}`
        : String(p.command_tag ?? '');
      const rows =
        Array.isArray(p.rows) && p.rows.length
          ? `\n${indent(p.rows.map((r) => JSON.stringify(r)).join('\n'))}`
          : '';
      return `result: ${status} (${String(p.row_count ?? 0)} rows, ${String(p.duration_ms ?? '?')} ms)${rows}`;
    }
    case 'policy.decision':
      return `${String(p.action).toUpperCase()} by rule ${String(p.rule)}: ${String(p.reason)}${p.break_glass ? ` (break-glass ${String(p.break_glass)})` : ''}`;
    case 'approval.requested':
      return `HELD for approval ${String(p.approval_id)}${p.rule ? ` by rule ${String(p.rule)}` : ''}: ${String(p.summary ?? '')} (${String(p.required)} of ${Array.isArray(p.approvers) ? p.approvers.join(', ') : '?'}, until ${String(p.expires_at)})`;
    case 'approval.decided':
      return `${String(p.decision).toUpperCase()} ${String(p.approval_id)} (${String(p.outcome)}, ${String(p.approvals)}/${String(p.required)}): ${String(p.reason)}`;
    case 'access.granted':
      return `ACCESS GRANTED ${String(p.grant_id)} to ${String(p.subject)} on ${String(p.connection)} until ${String(p.expires_at)}${p.break_glass ? ' (break-glass)' : ''}`;
    case 'access.revoked':
      return `ACCESS REVOKED (${String(p.reason)})`;
    case 'access.denied':
      return `DENIED ${String(p.code)}: ${String(p.message)}`;
    default:
      return `${e.type} ${JSON.stringify(p)}`;
  }
}

/** An action that ran after approval or under break-glass says so. */
function approvalNote(p: Readonly<Record<string, unknown>>): string {
  const approval = p.approval as { id?: string; approved_by?: string[] } | undefined;
  if (approval?.id) return ` [approved ${approval.id} by ${(approval.approved_by ?? []).join(', ')}]`;
  return p.break_glass ? ` [break-glass ${String(p.break_glass)}]` : '';
}

export function renderReplay(events: readonly StoredEvent[]): string {
  if (events.length === 0) return '';
  const start = Date.parse(events[0]!.time);
  return events
    .map((e) => {
      const offset = ((Date.parse(e.time) - start) / 1000).toFixed(3).padStart(8);
      return `+${offset}s  #${e.seq} ${e.identity.subject}  ${describe(e)}`;
    })
    .join('\n');
}
