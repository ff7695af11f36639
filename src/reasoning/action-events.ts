// Statements and commands the same identity ran on other connections while a reasoning session was
// live (and for an hour after): a database, SSH, MCP or HTTP connection is a session of its own, yet what ran
// there may have been proposed by this session's model turns. Shared by the tree API and `vigil tree`.
// The session itself is not read again: its caller has its events already, and re-reading them was
// a third of the time the console took to open a 10,000-call tree with a cold cache (bench/console).
// Only their action events are read (an SSH session's terminal output is never parsed).
import { type EventContent, type SessionSummary, sameIdentity } from '../core/events.js';
import type { Store } from '../core/ports.js';
import { ACTION_EVENTS } from './tree-events.js';

const AFTER_MS = 60 * 60_000;

export async function actionEventsAround(
  store: Pick<Store, 'listSessions' | 'readSessionContent'>,
  session: Pick<SessionSummary, 'id' | 'identity' | 'startedAt' | 'lastEventAt'>,
): Promise<EventContent[]> {
  const until = new Date(Date.parse(session.lastEventAt) + AFTER_MS).toISOString();
  const others = await store.listSessions({
    identity: session.identity.subject,
    since: session.startedAt,
    until,
    limit: 200,
  });
  const events = await Promise.all(
    // Listed by subject: the service account `deploy`'s sessions are not the user `deploy`'s.
    others
      .filter((s) => s.id !== session.id && sameIdentity(s.identity, session.identity))
      .map((s) => store.readSessionContent(s.id, ACTION_EVENTS)),
  );
  return events.flat();
}
