// What `vigil verify` says about witnesses: which of the configured witnesses cosigned the newest
// cosigned checkpoint, and whether that checkpoint is one the stored ledger has. A witnessed size
// and root that the store does not hold is evidence that the ledger was rolled back or rewritten.
import type { SignedCheckpoint } from '../core/ports.js';
import { cosignedAt } from './cosignature.js';
import { type NoteKey, noteSignedBy, parseNote } from './signed-note.js';
import { parseCheckpointBody } from './tlog-checkpoint.js';

export interface WitnessReport {
  /** Size and root of the cosigned checkpoint kept, or null when there is none. */
  readonly checkpoint: { readonly size: number; readonly root: string } | null;
  /** Whether it is the latest stored checkpoint (else witnesses lag, or have not answered yet). */
  readonly coversLatest: boolean;
  readonly witnesses: readonly { readonly name: string; readonly cosignedAt: string | null }[];
  /** Why the kept note cannot be trusted or contradicts the ledger; null when it is sound. */
  readonly problem: string | null;
}

export function witnessReport(
  note: string | null,
  logKeys: readonly NoteKey[],
  witnesses: readonly NoteKey[],
  checkpoints: readonly SignedCheckpoint[],
): WitnessReport {
  const none = witnesses.map((w) => ({ name: w.name, cosignedAt: null }));
  const empty = { checkpoint: null, coversLatest: false, witnesses: none };
  if (note === null) return { ...empty, problem: null };
  const parsed = parseNote(note);
  const body = parsed && parseCheckpointBody(parsed.text);
  if (!parsed || !body) return { ...empty, problem: 'the cosigned checkpoint file is not a checkpoint note' };
  if (!logKeys.some((k) => noteSignedBy(parsed, k))) {
    return {
      ...empty,
      problem: "the cosigned checkpoint is not signed by the ledger's key under its origin",
    };
  }
  // Cosignatures are over the note's text, whose first line names the log: a witness that follows
  // another log under the same key would otherwise vouch here for a tree it saw for that other log.
  if (!logKeys.some((k) => k.name === body.origin)) {
    return { ...empty, problem: `the cosigned checkpoint is for another log origin (${body.origin})` };
  }
  // Every stored checkpoint of that size must hold the witnessed root: one that does, beside another
  // that does not, is the witnessed history put back next to a rewritten one.
  const stored = checkpoints.filter((c) => c.size === body.size);
  const checkpoint = { size: body.size, root: body.root };
  const problem =
    stored.length === 0
      ? `witnesses saw a checkpoint of size ${body.size} that the stored ledger does not have (rolled back?)`
      : stored.some((c) => c.root !== body.root)
        ? `witnesses saw another root for size ${body.size} than the stored ledger's (rewritten?)`
        : null;
  return {
    checkpoint,
    coversLatest: checkpoints.at(-1)?.size === body.size,
    witnesses: witnesses.map((w) => {
      const at = cosignedAt(parsed, w);
      return { name: w.name, cosignedAt: at === null ? null : new Date(at * 1000).toISOString() };
    }),
    problem,
  };
}
