// A tools/list answer: each tool checked against its pin (pinning.ts), the listing recorded with
// every tool's digest (mcp.tools) and each changed or new definition with its diff
// (mcp.tool_changed), and what the client may see of it decided; and the listing Vigil asks for
// itself when a call names a tool no listing has shown yet.
import { type JsonObject, nowIso } from '../../core/events.js';
import { newId } from '../../core/ids.js';
import { fieldsBeyond } from './answer-fields.js';
import type { McpServed, RequestScope } from './dispatch.js';
import { isObject, type JsonRpcMessage } from './jsonrpc.js';
import { applyListing } from './pinning.js';
import { asApproved } from './tool-digest.js';
import { toolAllowed } from './tool-lists.js';

type RequestMessage = Extract<JsonRpcMessage, { kind: 'request' }>;

export async function recordListing(
  served: McpServed,
  scope: RequestScope,
  m: { readonly id: string | number },
  answer: JsonRpcMessage,
): Promise<JsonRpcMessage> {
  if (answer.kind !== 'response' || !Array.isArray(answer.result.tools)) {
    // An error, or a result with no list of tools, still reaches the client (an error's message,
    // a result's other fields are text its model may read): recorded as the other listings are.
    await scope.session.observe('mcp.listing', {
      request_id: String(m.id),
      method: 'tools/list',
      ...(answer.kind === 'error' ? { error: answer.error } : {}),
      ...(answer.kind === 'response' ? { result: answer.result } : {}),
    });
    return answer;
  }
  const tools = answer.result.tools.filter(isObject);
  const named = tools.filter((t) => typeof t.name === 'string');
  const { listed, changes } = await applyListing(served.pins, tools, served.config.tools.new_tools, nowIso());
  // What the client may see of each tool: nothing of one the connection refuses or that is held
  // new, and the approved definition of one that changed, so no text an admin has not approved
  // reaches the model (docs/mcp.md, tool pinning).
  const shown = listed.map((t, i): JsonObject | null => {
    if (!toolAllowed(served.config.tools, t.name) || t.status === 'unapproved') return null;
    return t.approved ? asApproved(named[i]!, t.approved) : named[i]!;
  });
  const other = fieldsBeyond(
    answer.result,
    (key, value) => key === 'tools' || (key === 'nextCursor' && typeof value === 'string'),
  );
  await scope.session.observe('mcp.tools', {
    request_id: String(m.id),
    // A shown tool carries its definition as the client saw it (pinned fields and the rest, such as
    // `execution`), so `vigil rerun --mcp` can list it faithfully; a hidden tool only its name.
    tools: listed.map((t, i) => ({
      name: t.name,
      digest: t.digest,
      status: t.status,
      ...(shown[i] ? { definition: shown[i] } : { hidden: true }),
    })),
    next_cursor: typeof answer.result.nextCursor === 'string' ? answer.result.nextCursor : null,
    // The answer's other fields (`_meta`, a field of a later revision, a cursor of another shape)
    // go to the client as served: recorded with it.
    ...(other !== null ? { other_fields: other } : {}),
  });
  for (const change of changes) {
    await scope.session.observe('mcp.tool_changed', {
      tool: change.tool,
      change: change.change,
      approved_digest: change.approved_digest,
      digest: change.digest,
      diff: change.diff.map((d) => ({ field: d.field, before: d.before, after: d.after })),
    });
  }
  // A tool without a name cannot be pinned, so it is not shown either.
  const visible = shown.filter((t): t is JsonObject => t !== null);
  const asServed = answer.result.tools;
  if (visible.length === asServed.length && visible.every((t, i) => t === asServed[i])) return answer;
  return { ...answer, result: { ...answer.result, tools: visible } };
}

/** Lists the upstream's tools on Vigil's own behalf (a call to a tool no listing has shown yet). */
export async function refreshListing(served: McpServed, scope: RequestScope): Promise<void> {
  let cursor: string | null = null;
  for (let page = 0; page < 20; page++) {
    const id = `vigil:list:${newId('r')}`;
    const request: RequestMessage = {
      kind: 'request',
      id,
      method: 'tools/list',
      params: cursor === null ? {} : { cursor },
    };
    const reply = await served.upstream.send(request, scope.target, scope.signal);
    cursor = null;
    for await (const message of reply.messages) {
      if ((message.kind === 'response' || message.kind === 'error') && message.id === id) {
        await recordListing(served, scope, { id }, message);
        if (message.kind === 'response' && typeof message.result.nextCursor === 'string') {
          cursor = message.result.nextCursor;
        }
      }
    }
    if (cursor === null) return;
  }
}
