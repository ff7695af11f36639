// What a tool listing means for the pins: the first listing a connection ever serves pins every
// tool; later, a tool whose definition differs from its approved pin is marked changed (calls to it
// are refused until an admin approves), and a new tool is pinned or held (`tools.new_tools`).
import type { JsonObject } from '../../core/events.js';
import type { PinIndex, PinStatus, ToolPin } from './pin-store.js';
import { diffDefinitions, type FieldChange, toolDefinition, toolDigest } from './tool-digest.js';

export interface ListedTool {
  readonly name: string;
  readonly digest: string;
  readonly status: PinStatus;
  /** The approved definition when it differs from what was served (status `changed`). */
  readonly approved: JsonObject | null;
}

export interface ToolChange {
  readonly tool: string;
  readonly change: 'changed' | 'new';
  readonly approved_digest: string | null;
  readonly digest: string;
  readonly diff: readonly FieldChange[];
}

export async function applyListing(
  pins: PinIndex,
  tools: readonly JsonObject[],
  newTools: 'allow' | 'hold',
  now: string,
): Promise<{ listed: ListedTool[]; changes: ToolChange[] }> {
  // Another replica may have pinned meanwhile: "first listing" must mean first for the whole store.
  await pins.fresh(0);
  const firstListing = !pins.hasAny();
  const listed: ListedTool[] = [];
  const changes: ToolChange[] = [];
  for (const tool of tools) {
    if (typeof tool.name !== 'string') continue;
    const name = tool.name;
    const definition = toolDefinition(tool);
    const digest = toolDigest(definition);
    const seen = { digest, definition, at: now };
    const pin = pins.get(name);
    if (!pin) {
      const hold = !firstListing && newTools === 'hold';
      const fresh: ToolPin = {
        connection: pins.connection,
        tool: name,
        approved: hold ? null : { ...seen, by: firstListing ? 'first-sight' : 'new-tool' },
        seen,
      };
      await pins.put(fresh);
      if (hold)
        changes.push({
          tool: name,
          change: 'new',
          approved_digest: null,
          digest,
          diff: diffDefinitions(null, definition),
        });
      listed.push({ name, digest, status: hold ? 'unapproved' : 'pinned', approved: null });
      continue;
    }
    if (pin.seen.digest !== digest) {
      await pins.put({ ...pin, seen });
      // Recorded once per new definition: the listing after this one sees the same digest and says nothing.
      if (pin.approved?.digest !== digest) {
        changes.push({
          tool: name,
          change: pin.approved ? 'changed' : 'new',
          approved_digest: pin.approved?.digest ?? null,
          digest,
          diff: diffDefinitions(pin.approved?.definition ?? null, definition),
        });
      }
    }
    const status: PinStatus = !pin.approved
      ? 'unapproved'
      : pin.approved.digest === digest
        ? 'pinned'
        : 'changed';
    listed.push({
      name,
      digest,
      status,
      approved: status === 'changed' && pin.approved ? pin.approved.definition : null,
    });
  }
  return { listed, changes };
}
