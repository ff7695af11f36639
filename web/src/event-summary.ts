// One line about an event, by type: what a reader scans the timeline for. Recorded values pass
// through as plain strings (the caller renders them inert).
import type { JsonObject, JsonValue, StoredEvent } from './types';

const str = (v: JsonValue | undefined): string | null => (typeof v === 'string' ? v : null);
const obj = (v: JsonValue | undefined): JsonObject | null =>
  typeof v === 'object' && v !== null && !Array.isArray(v) ? v : null;

function lastMessageText(body: JsonObject | null): string | null {
  if (!body) return null;
  const messages = body.messages ?? body.input;
  if (typeof messages === 'string') return messages;
  if (!Array.isArray(messages) || messages.length === 0) return str(body.prompt);
  const last = obj(messages[messages.length - 1]);
  const content = last?.content;
  if (typeof content === 'string') return content;
  if (Array.isArray(content)) return content.map((c) => str(obj(c)?.text) ?? '').join('');
  return null;
}

function firstChoiceText(p: JsonObject): string | null {
  const choices = p.choices;
  if (Array.isArray(choices) && choices.length > 0) {
    const c = obj(choices[0]);
    return str(c?.text) ?? str(c?.content) ?? str(obj(c?.message)?.content);
  }
  return str(p.text) ?? str(p.content);
}

export function eventSummary(event: StoredEvent): string {
  const p = event.payload;
  if (p === null) return '(payload purged by retention)';
  const pick = (...values: (string | null)[]) => values.filter((v): v is string => !!v).join(' · ');
  switch (event.type) {
    case 'llm.request':
      return pick(str(p.model), lastMessageText(obj(p.body)));
    case 'llm.response':
      return pick(firstChoiceText(p), str(p.finish_reason));
    case 'db.query':
      return pick(
        str(p.statement),
        Array.isArray(p.parameters) ? `params ${JSON.stringify(p.parameters)}` : null,
      );
    case 'db.result':
      // The database payloads (src/core/db-payloads.ts): a failed statement has its SQLSTATE and message.
      return pick(
        str(p.sqlstate) && `${str(p.sqlstate)} ${str(p.error_message) ?? ''}`.trim(),
        typeof p.row_count === 'number' ? `${p.row_count} row(s)` : null,
        str(p.command_tag),
      );
    case 'db.copy_data': {
      // COPY FROM STDIN's data, recorded before the server read its end.
      const copy = obj(p.copy);
      return pick(
        'copy data',
        typeof copy?.lines === 'number' ? `${copy.lines} line(s)` : null,
        typeof copy?.bytes === 'number' ? `${copy.bytes} bytes` : null,
        str(copy?.ended),
      );
    }
    case 'db.cancel':
      return pick(
        'cancel requested',
        str(p.peer) && `from ${str(p.peer)}`,
        p.held === true ? 'withdraws the held statement' : p.in_flight === true ? 'statement running' : null,
      );
    case 'http.request':
    case 'mcp.call':
      return pick(str(p.method), str(p.path) ?? str(p.url), str(p.tool) ?? str(p.name));
    case 'http.response':
    case 'mcp.result':
      return pick(typeof p.status === 'number' ? String(p.status) : null, str(p.error));
    case 'policy.decision':
      return pick(str(p.decision) ?? str(p.action), str(p.rule), str(p.reason));
    case 'approval.requested':
    case 'approval.decided':
      return pick(str(p.approval_id) ?? str(p.id), str(p.outcome), str(p.reason));
    case 'session.end':
      return pick(str(p.reason));
    default:
      return '';
  }
}
