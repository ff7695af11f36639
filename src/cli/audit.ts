// Reading or exporting a recording from the CLI is recorded like any other access: a short session
// of the local operating-system user with one audit.viewed event. The CLI reads the store directly,
// so whoever can run it can read the files: the record says who did, from where.
import { hostname, userInfo } from 'node:os';
import type { Identity, JsonObject } from '../core/events.js';
import { nowIso } from '../core/events.js';
import { newId } from '../core/ids.js';
import type { Store } from '../core/ports.js';
import { Recorder } from '../ledger/recorder.js';

export async function recordCliAudit(store: Store, facts: JsonObject): Promise<void> {
  const identity: Identity = {
    subject: `local:${userInfo().username}@${hostname()}`,
    kind: 'user',
    groups: [],
  };
  const recorder = new Recorder(store);
  await recorder.init();
  const sessionId = newId('s');
  const base = { sessionId, connection: 'cli', identity };
  await recorder.append(
    { ...base, type: 'session.start', time: nowIso(), payload: { protocol: 'cli' } },
    'cli',
  );
  await recorder.append({ ...base, type: 'audit.viewed', time: nowIso(), payload: { ...facts, via: 'cli' } });
  await recorder.append({ ...base, type: 'session.end', time: nowIso(), payload: { reason: 'closed' } });
}
