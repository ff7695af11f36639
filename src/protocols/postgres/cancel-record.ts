// A cancel request as the session it cancels records it: `db.cancel`, committed before the server
// gets the CancelRequest (write-ahead, like a statement), so the record tells a client's cancel
// from a server-side timeout (both end the statement with 57014), and says from where it came.
import type { DbCancelPayload } from '../../core/db-payloads.js';
import type { ModuleSession } from '../../pipeline/module-context.js';
import type { CancelOrigin } from './cancel-keys.js';

/** What the session knew when the cancel arrived. */
export interface CancelState {
  /** The server had been sent something it had not answered yet. */
  readonly inFlight: boolean;
  /** A statement waited for review (the cancel withdraws it). */
  readonly held: boolean;
}

export function cancelPayload(origin: CancelOrigin, state: CancelState): DbCancelPayload {
  return { peer: origin.peer, in_flight: state.inFlight, held: state.held };
}

/**
 * Records the cancel and waits for its commit. Resolves true when the cancel may go on to the
 * server (recorded, or lost where the operator chose `on_record_failure: fail-open`); rejects with
 * `record_failed` when it cannot be recorded in fail-closed mode.
 */
export async function recordCancel(
  session: Pick<ModuleSession, 'observe' | 'touch'>,
  origin: CancelOrigin,
  state: CancelState,
): Promise<boolean> {
  session.touch();
  // Not deferred: the caller forwards only once this commit is on disk.
  await session.observe('db.cancel', cancelPayload(origin, state));
  return true;
}
