// Reading or exporting a recording from the CLI is recorded like any other access: a short session
// of the local operating-system user with one audit.viewed event. The CLI reads the store directly,
// so whoever can run it can read the files: the record says who did, from where.
import type { JsonObject } from '../core/events.js';
import type { Store } from '../core/ports.js';
import { OperatorSession } from './operator-session.js';

export async function recordCliAudit(store: Store, facts: JsonObject): Promise<void> {
  const session = await OperatorSession.open(store);
  await session.record('audit.viewed', { ...facts, via: 'cli' });
  await session.close();
}
