// What changes when payloads are purged, for readers that keep what they built from payloads (the
// reasoning trees the console draws): `vigil purge` notes each purge here once its payloads are
// dropped. A reader takes the generation before it reads and keeps its result for that generation
// only; a purge whose drop ended after the read gives a new generation, so the next reader rebuilds
// instead of serving what was purged.
import type { JsonObject } from '../core/events.js';
import type { ModuleStateStore } from '../core/replica-ports.js';

const NAMESPACE = 'ledger';
const KEY = 'purges';

/** Notes a purge whose payloads are dropped (`record`: the global index of its `ledger.purged` event). */
export function notePurge(state: ModuleStateStore, record: number, at: string): Promise<void> {
  return state.put(NAMESPACE, KEY, { record, at });
}

/** The current purge generation: equal strings mean no purge dropped anything in between. */
export async function purgeGeneration(state: ModuleStateStore): Promise<string> {
  const noted: JsonObject | null = await state.get(NAMESPACE, KEY);
  return noted ? `${noted.record}@${noted.at}` : 'none';
}
