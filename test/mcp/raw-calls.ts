// JSON-RPC requests sent raw into an MCP session through the gateway, for tests of what the SDK
// client never does (reusing an id): the POST and its headers, a call of the fixture's `sleep` tool,
// and the answer read out of a JSON or SSE body.
import { TOKENS } from '../support/gateway.js';

/** The headers of alice's POST in MCP session `sid`, as the SDK client sends them. */
export function sessionHeaders(sid: string): Record<string, string> {
  return {
    authorization: `Bearer ${TOKENS.alice}`,
    'mcp-session-id': sid,
    'mcp-protocol-version': '2025-11-25',
    'content-type': 'application/json',
    accept: 'application/json, text/event-stream',
  };
}

/** POSTs `body` to the connection at `url` in session `sid`, as alice. */
export function rawPoster(url: () => string, sid: () => string) {
  return (body: unknown, signal?: AbortSignal): Promise<Response> =>
    fetch(url(), {
      method: 'POST',
      headers: sessionHeaders(sid()),
      body: JSON.stringify(body),
      ...(signal ? { signal } : {}),
    });
}

export function sleepCall(id: string | number, ms: number, progressToken?: string) {
  const meta = progressToken ? { _meta: { progressToken } } : {};
  return { jsonrpc: '2.0', id, method: 'tools/call', params: { name: 'sleep', arguments: { ms }, ...meta } };
}

/** The JSON-RPC answer in a JSON or SSE body. */
export async function answerOf(
  res: Response,
): Promise<{ result?: { content?: unknown }; error?: { data?: { code?: string } } }> {
  const text = await res.text();
  if ((res.headers.get('content-type') ?? '').includes('json')) return JSON.parse(text);
  const data = text
    .split('\n')
    .filter((l) => l.startsWith('data: '))
    .map((l) => JSON.parse(l.slice(6)) as { id?: unknown });
  return data.find((m) => 'result' in m || 'error' in m) as never;
}

/**
 * An MCP `initialize` POSTed to `url` with `token` as its bearer, outside any session: the status
 * and the WWW-Authenticate challenge say whether the gateway admits the token.
 */
export async function initializeWith(
  url: string,
  token: string,
): Promise<{ status: number; challenge: string }> {
  const res = await fetch(url, {
    method: 'POST',
    headers: {
      authorization: `Bearer ${token}`,
      'content-type': 'application/json',
      accept: 'application/json, text/event-stream',
    },
    body: JSON.stringify({
      jsonrpc: '2.0',
      id: 1,
      method: 'initialize',
      params: { protocolVersion: '2025-11-25', capabilities: {}, clientInfo: { name: 't', version: '1' } },
    }),
  });
  await res.arrayBuffer();
  return { status: res.status, challenge: res.headers.get('www-authenticate') ?? '' };
}
