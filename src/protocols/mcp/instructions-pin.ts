// The server's `instructions` (its answer to initialize) pinned as a tool's definition is: many
// clients put them in the model's system prompt, so a server that swaps them after they were
// trusted steers the model as a changed tool description does. The first answer a connection ever
// serves pins them; an answer whose instructions differ from the approved ones reaches the client
// with the approved instructions instead (none when none were approved), as a changed tool is
// shown with its approved definition, until an admin approves what is now served
// (`vigil mcp approve-instructions`). Kept beside the tool pins in the store's module state
// (namespace `mcp-instructions/<connection>`), shared by every replica, and apart from them, so
// that pinning the instructions never makes a connection's first tool listing look like a later one.
import { createHash } from 'node:crypto';
import { canonicalJson } from '../../core/canonical-json.js';
import type { JsonObject, JsonValue } from '../../core/events.js';
import type { ModuleStateStore } from '../../core/replica-ports.js';
import type { PinnedDefinition } from './pin-store.js';

export interface InstructionsPin {
  readonly connection: string;
  /** What the client is shown; never null once pinned (first sight pins what was served). */
  readonly approved: PinnedDefinition | null;
  /** What the upstream served at its last initialize. */
  readonly seen: PinnedDefinition;
}

export interface InstructionsCheck {
  readonly status: 'pinned' | 'changed';
  readonly digest: string;
  readonly approved_digest: string | null;
  /** The instructions the client may be shown: those served, or the approved ones when they changed. */
  readonly shown: string | null;
}

const KEY = 'instructions';

export function instructionsNamespace(connection: string): string {
  return `mcp-instructions/${connection}`;
}

function definitionOf(instructions: string | null): JsonObject {
  return { instructions };
}

function digestOf(definition: JsonObject): string {
  return createHash('sha256').update(canonicalJson(definition)).digest('hex');
}

export async function readInstructionsPin(
  state: ModuleStateStore,
  connection: string,
): Promise<InstructionsPin | null> {
  return (await state.get(instructionsNamespace(connection), KEY)) as InstructionsPin | null;
}

/** Checks served instructions against the pin, pinning them at first sight and noting what was served. */
export async function checkInstructions(
  state: ModuleStateStore,
  connection: string,
  served: string | null,
  now: string,
): Promise<InstructionsCheck> {
  const definition = definitionOf(served);
  const digest = digestOf(definition);
  const seen: PinnedDefinition = { digest, definition, at: now };
  const ns = instructionsNamespace(connection);
  // First sight for the whole store: another replica may have pinned meanwhile, and its pin wins.
  const fresh: InstructionsPin = { connection, approved: { ...seen, by: 'first-sight' }, seen };
  let pin = (await state.putIfAbsent(ns, KEY, fresh as unknown as JsonObject)) as unknown as InstructionsPin;
  if (pin.seen.digest !== digest) {
    pin = { ...pin, seen };
    await state.put(ns, KEY, pin as unknown as JsonObject);
  }
  const approved = pin.approved;
  if (approved?.digest === digest) {
    return { status: 'pinned', digest, approved_digest: digest, shown: served };
  }
  const before = approved?.definition.instructions;
  return {
    status: 'changed',
    digest,
    approved_digest: approved?.digest ?? null,
    shown: typeof before === 'string' ? before : null,
  };
}

/** Instructions as pinned: none, the text, or (a value of another shape, which some client may still show) its JSON. */
function instructionsText(value: JsonValue | undefined): string | null {
  if (value === undefined || value === null) return null;
  return typeof value === 'string' ? value : canonicalJson(value);
}

/**
 * An initialize answer's result as the client may have it, checked against the pin before the
 * client does (a store that cannot be read throws, failing the initialize rather than letting
 * unchecked instructions by), and what the answer's record says of the pin: the check, and what
 * the upstream served when it was kept from the client.
 */
export async function pinnedInitializeResult(
  state: ModuleStateStore,
  connection: string,
  result: JsonObject,
  now: string,
): Promise<{ readonly result: JsonObject; readonly facts: JsonObject }> {
  const pinned = await checkInstructions(state, connection, instructionsText(result.instructions), now);
  const pin = { status: pinned.status, digest: pinned.digest, approved_digest: pinned.approved_digest };
  if (pinned.status === 'pinned') return { result, facts: { instructions_pin: pin } };
  const { instructions: served, ...rest } = result;
  return {
    result: pinned.shown === null ? rest : { ...rest, instructions: pinned.shown },
    facts: { instructions_pin: pin, instructions_served: served ?? null },
  };
}

/** Approves the instructions the upstream last served (optionally only if they have this digest). */
export async function approveInstructions(
  state: ModuleStateStore,
  connection: string,
  by: string,
  digest?: string,
): Promise<{ before: InstructionsPin; after: InstructionsPin }> {
  const before = await readInstructionsPin(state, connection);
  if (!before) throw new Error(`no instructions have been served on connection ${connection}`);
  if (digest !== undefined && before.seen.digest !== digest) {
    throw new Error(`the instructions were last served with digest ${before.seen.digest}, not ${digest}`);
  }
  const after: InstructionsPin = {
    ...before,
    approved: { ...before.seen, at: new Date().toISOString(), by },
  };
  await state.put(instructionsNamespace(connection), KEY, after as unknown as JsonObject);
  return { before, after };
}
