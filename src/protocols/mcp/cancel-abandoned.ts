// A request the client left (its HTTP request closed, or its session was cut) while the upstream
// worked on it: Vigil tells the upstream to stop, as the client would have, with
// `notifications/cancelled` for its id. Without it a long-running tool ran on to completion and its
// result was never recorded, since the answer had no one to go to (until 6 December,
// test/mcp/attacker-night-cancel.test.ts). The cancellation is recorded first, as every client
// notification is, but marked `origin: gateway`; it is sent even when that record fails, since
// stopping work is never what a rule or the ledger guards against.
import type { ModuleSession } from '../../pipeline/module-context.js';
import type { JsonRpcId, JsonRpcMessage } from './jsonrpc.js';
import type { McpUpstream, UpstreamTarget } from './upstream.js';

const ABANDONED_REASON = 'the client left before the answer; cancelled by the gateway';

/** What of the connection a cancellation needs. */
interface Canceller {
  readonly upstream: McpUpstream;
  /** `timeouts.connect` bounds how long delivering it may take. */
  readonly config: { readonly timeouts: { readonly connect: number } };
  /** Told when the cancellation's record failed. */
  readonly resultNotRecorded: (err: unknown) => void;
}

export async function cancelAbandoned(
  served: Canceller,
  session: ModuleSession,
  target: UpstreamTarget,
  id: JsonRpcId,
): Promise<void> {
  const params = { requestId: id, reason: ABANDONED_REASON };
  await session
    .observe('mcp.client_notification', { method: 'notifications/cancelled', params, origin: 'gateway' })
    .catch(served.resultNotRecorded);
  const message: JsonRpcMessage = { kind: 'notification', method: 'notifications/cancelled', params };
  try {
    const reply = await served.upstream.send(
      message,
      target,
      AbortSignal.timeout(served.config.timeouts.connect),
    );
    for await (const _ of reply.messages) {
      // Drained: an HTTP upstream answers 202 with no body.
    }
  } catch {
    // The upstream is gone too, or did not take it in time: nothing more Vigil can do to stop it.
  }
}
