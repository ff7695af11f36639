// What a replica does with the sessions it adopted from a replica that died: closes each with a
// session.end that says so and names both (docs/adr/0008-replica-leases-and-session-ownership.md).
import type { Logger } from 'pino';
import { ANONYMOUS } from '../core/events.js';
import type { AdoptedSession } from '../core/ports.js';
import type { Recorder } from '../ledger/recorder.js';
import type { Pipeline } from '../pipeline/pipeline.js';

/**
 * Sessions whose replica died (a crash, a kill, a lost lease) are closed by the replica that adopted
 * them, with a session.end that says so and names both.
 */
export async function closeAdoptedSessions(
  adopted: readonly AdoptedSession[],
  by: string,
  recorder: Recorder,
  pipeline: Pipeline,
  logger: Logger,
): Promise<void> {
  for (const { session: s, from } of adopted) {
    await pipeline.observe(
      { sessionId: s.id, connection: s.connection, identity: s.identity ?? ANONYMOUS, protocol: s.protocol },
      'session.end',
      {
        reason: 'crash-recovered',
        incomplete: true,
        last_event_at: s.lastEventAt,
        ...(from ? { replica: from } : {}),
        recovered_by: by,
      },
    );
    recorder.forget(s.id);
  }
  logger.warn({ sessions: adopted.length }, 'closed sessions whose gateway replica is gone');
}
