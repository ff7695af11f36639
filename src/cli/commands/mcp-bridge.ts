// `vigil mcp-bridge <connection>`: an MCP server on stdio for local clients (an IDE, Claude
// Desktop) that relays every message to the gateway's streamable-HTTP endpoint with the user's
// Vigil token, so a stdio-only client gets the same recording, pinning and policy. Both sides are
// the official SDK's transports; the bridge holds no state but the gateway's session id and the
// ids of the requests still waiting for their answers.
import type { JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';
import type { Command } from 'commander';
import { VigilError } from '../../core/errors.js';
import { readToken } from '../../identity/oidc-token-file.js';
import { type ApiOptions, addApiOptions } from '../api-client.js';
import { loadCliConfig } from '../context.js';
import type { SetExitCode } from './index.js';

const DEFAULT_WAIT_SECONDS = 30;

export function register(program: Command, _setExitCode: SetExitCode): void {
  addApiOptions(
    program
      .command('mcp-bridge <connection>')
      .description('serve an MCP connection of the gateway on stdio (for stdio-only MCP clients)')
      .option(
        '--wait <seconds>',
        'when stdin ends, how long to wait for the answers to requests already sent',
        String(DEFAULT_WAIT_SECONDS),
      ),
  ).action(async (connection: string, opts: ApiOptions & { wait: string }) => {
    const wait = Number(opts.wait);
    if (!Number.isFinite(wait) || wait < 0)
      throw new VigilError('usage', `--wait must be a number of seconds, not ${JSON.stringify(opts.wait)}`);
    const stored = readToken();
    const token = opts.token || process.env.VIGIL_TOKEN || stored?.token;
    if (!token)
      throw new VigilError('auth_missing', 'no token: sign in with `vigil login`, or set VIGIL_TOKEN');
    const gateway = (
      opts.gateway ||
      process.env.VIGIL_GATEWAY ||
      stored?.gateway ||
      `http://${loadCliConfig(program.opts()).config.listen}`
    ).replace(/\/+$/, '');
    await bridge(new URL(`${gateway}/c/${encodeURIComponent(connection)}/mcp`), token, wait * 1000);
  });
}

type RequestId = string | number;

function isRequest(message: JSONRPCMessage): message is JSONRPCMessage & { id: RequestId; method: string } {
  return 'id' in message && 'method' in message;
}

async function bridge(url: URL, token: string, waitMs: number): Promise<void> {
  // Loaded here, not at the top: every other command would otherwise pay for loading the MCP SDK.
  const { StreamableHTTPClientTransport } = await import(
    '@modelcontextprotocol/sdk/client/streamableHttp.js'
  );
  const { StdioServerTransport } = await import('@modelcontextprotocol/sdk/server/stdio.js');
  const stdio = new StdioServerTransport();
  const http = new StreamableHTTPClientTransport(url, {
    requestInit: { headers: { authorization: `Bearer ${token}` } },
  });
  // Requests relayed and not yet answered, keyed by id (a number and its string are different ids).
  const pending = new Map<string, RequestId>();
  const key = (id: RequestId) => `${typeof id}:${id}`;
  const writes = new Set<Promise<void>>();
  // Set once the bridge is ending: from then on, nothing more is written for a request.
  let finishing = false;
  const answer = (message: JSONRPCMessage) => {
    if ('id' in message && !('method' in message)) {
      const id = key(message.id as RequestId);
      // Once the wait has run out, a request answered with its error gets no second answer.
      if (finishing && !pending.has(id)) return;
      pending.delete(id);
    }
    const written = stdio.send(message);
    writes.add(written);
    void written.finally(() => writes.delete(written));
    settle();
  };
  // Until the answer to initialize brings the session id, what follows it would be sent outside the
  // session and refused: a client that writes everything at once (a pipe) waits for it here.
  let session: Promise<unknown> = Promise.resolve();
  let stdinEnded = false;
  let finished: () => void = () => undefined;
  const done = new Promise<void>((resolve) => {
    finished = resolve;
  });
  let waitTimer: NodeJS.Timeout | undefined;
  function settle(): void {
    if (stdinEnded && pending.size === 0) finish();
  }
  function finish(): void {
    if (finishing) return;
    finishing = true;
    clearTimeout(waitTimer);
    void Promise.all(writes)
      .then(() => http.terminateSession())
      .catch(() => undefined)
      .finally(() => {
        void http.close().finally(finished);
      });
  }
  http.onmessage = (message) => {
    const result = 'result' in message ? (message.result as { protocolVersion?: unknown }) : null;
    // The SDK client sends MCP-Protocol-Version once it knows it; the bridge learns it from the answer to initialize.
    if (result && typeof result.protocolVersion === 'string') http.setProtocolVersion(result.protocolVersion);
    answer(message);
  };
  http.onerror = (err) => process.stderr.write(`vigil mcp-bridge: ${err.message}\n`);
  stdio.onmessage = (message: JSONRPCMessage) => {
    // Counted now, synchronously: stdin's end may be seen before the request has gone out.
    if (isRequest(message)) pending.set(key(message.id), message.id);
    const sent = session.then(() => http.send(message));
    if (isRequest(message) && message.method === 'initialize') session = sent.catch(() => undefined);
    sent.catch((err: Error) => {
      // A request the gateway refused at the HTTP level (no token, unknown session) still gets its
      // answer, unless it has one already (the wait ran out, and closing aborted the request).
      if (isRequest(message)) {
        if (!pending.has(key(message.id))) return;
        answer({
          jsonrpc: '2.0',
          id: message.id,
          error: { code: -32002, message: `the gateway refused the request: ${err.message}` },
        });
      } else if (!finishing) process.stderr.write(`vigil mcp-bridge: ${err.message}\n`);
    });
  };
  // The client is gone when stdin ends, but what it already asked still gets answered (a pipe
  // writes its requests and closes at once): the bridge waits for those answers, for at most
  // --wait seconds, answers what is left with an error, then ends the gateway session.
  stdio.onclose = () => {
    if (stdinEnded) return;
    stdinEnded = true;
    waitTimer = setTimeout(() => {
      for (const id of pending.values()) {
        answer({
          jsonrpc: '2.0',
          id,
          error: {
            code: -32001,
            message: `no answer from the gateway within ${waitMs / 1000}s of stdin ending`,
          },
        });
      }
      finish();
    }, waitMs);
    settle();
  };
  process.stdin.on('end', () => stdio.onclose?.());
  await http.start();
  await stdio.start();
  await done;
}
