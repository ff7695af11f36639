// The anchor file against the stored checkpoints and the recomputed roots: whoever can write the
// database cannot rewrite history unseen, because the anchor (kept outside it) still names the
// checkpoints it signed. Throws a Fault at the first mismatch; returns notes that are not faults.
import type { SignedCheckpoint } from '../core/ports.js';
import type { parseAnchor } from './anchor.js';
import { checkCheckpointSignature, sameCheckpoint } from './checkpoint.js';
import type { Keyring } from './keyring.js';
import { fail } from './verify-fault.js';

export interface AnchorCheck {
  /** The parsed anchor file, or null when the file is missing. */
  readonly anchor: ReturnType<typeof parseAnchor> | null;
  readonly stored: readonly SignedCheckpoint[];
  readonly storedBySize: ReadonlyMap<number, SignedCheckpoint>;
  /** Merkle roots recomputed from the log, by size. */
  readonly roots: ReadonlyMap<number, string>;
  /** Events in the log. */
  readonly events: number;
  readonly keyring: Keyring;
}

export function checkAnchor(input: AnchorCheck): string[] {
  const notes: string[] = [];
  const { anchor, stored } = input;
  if (anchor === null) {
    if (stored.length > 0)
      fail('anchor_truncated', 'the anchor file is missing but the store holds checkpoints', {});
    return notes;
  }
  const lastStoredSize = stored.at(-1)?.size ?? 0;
  let previous = -1;
  anchor.checkpoints.forEach((cp, i) => {
    const at = { anchorLine: i + 1, checkpointSize: cp.size };
    if (cp.size <= previous) fail('anchor_mismatch', `anchor line ${i + 1} is out of order`, at);
    previous = cp.size;
    if (checkCheckpointSignature(cp, input.keyring) !== 'ok') {
      fail('anchor_mismatch', `anchor line ${i + 1} is not a validly signed checkpoint`, at);
    }
    const match = input.storedBySize.get(cp.size);
    if (match) {
      if (sameCheckpoint(match, cp)) return;
      if (match.root !== cp.root) {
        fail('rollback', `the store's history at size ${cp.size} differs from the one anchored`, at);
      }
      fail('anchor_mismatch', `anchor line ${i + 1} differs from stored checkpoint ${cp.size}`, at);
    }
    const root = input.roots.get(cp.size);
    if (cp.size > input.events || root !== cp.root) {
      fail(
        'rollback',
        `the anchor holds checkpoint ${cp.size}, which the store no longer matches: it was rolled back`,
        at,
      );
    }
    if (i === anchor.checkpoints.length - 1 && cp.size > lastStoredSize) {
      notes.push(
        `the last anchored checkpoint (${cp.size}) is not in the store: a crash between the two writes; the events match it`,
      );
      return;
    }
    fail('checkpoint_missing', `checkpoint ${cp.size} is anchored but missing from the store`, at);
  });
  if (anchor.bad) {
    const what =
      anchor.bad.kind === 'anchor_truncated' ? 'is cut short' : 'is not a canonical signed checkpoint';
    fail(anchor.bad.kind, `anchor line ${anchor.bad.line} ${what}`, { anchorLine: anchor.bad.line });
  }
  const anchored = new Set(anchor.checkpoints.map((cp) => cp.size));
  const lastAnchored = anchor.checkpoints.at(-1)?.size ?? 0;
  for (const cp of stored) {
    if (anchored.has(cp.size)) continue;
    if (cp.size > lastAnchored) {
      fail('anchor_truncated', `checkpoint ${cp.size} is stored but the anchor ends before it`, {
        checkpointSize: cp.size,
      });
    }
    fail('anchor_mismatch', `checkpoint ${cp.size} is stored but missing from the anchor`, {
      checkpointSize: cp.size,
    });
  }
  return notes;
}
