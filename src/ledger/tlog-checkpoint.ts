// Checkpoints in the C2SP tlog-checkpoint format (https://c2sp.org/tlog-checkpoint): the log's
// origin, its size and its root (base64) on three lines, wrapped in a signed note. Vigil's Merkle
// log has the RFC 6962/9162 shape, so this note is what transparency-log tooling (witnesses,
// monitors) verifies directly. Vigil keeps its JSON checkpoint statement beside it, unchanged, so
// older checkpoints and anchors keep verifying.
import type { Keyring, LedgerSigningKey } from './keyring.js';
import { encodeVerifierKey, type NoteKey, noteSignedBy, parseNote, signNote } from './signed-note.js';

export interface CheckpointBody {
  readonly origin: string;
  readonly size: number;
  /** Root hash, hex. */
  readonly root: string;
  /** Extension lines, if any (not interpreted). */
  readonly extensions: readonly string[];
}

const SIZE = /^(0|[1-9][0-9]*)$/;

/** The note text of a checkpoint: origin, size and base64 root, each on its own line. */
export function encodeCheckpointBody(origin: string, size: number, rootHex: string): string {
  if (origin === '' || /[\n\r]/.test(origin)) throw new RangeError('an origin is one non-empty line');
  return `${origin}\n${size}\n${Buffer.from(rootHex, 'hex').toString('base64')}\n`;
}

/** Strictly parses a checkpoint's note text; null when it is not one. */
export function parseCheckpointBody(text: string): CheckpointBody | null {
  if (!text.endsWith('\n')) return null;
  const lines = text.slice(0, -1).split('\n');
  if (lines.length < 3) return null;
  const [origin, sizeText, rootB64, ...extensions] = lines as [string, string, string, ...string[]];
  if (origin === '' || !SIZE.test(sizeText) || extensions.some((l) => l === '')) return null;
  const size = Number(sizeText);
  const root = Buffer.from(rootB64, 'base64');
  if (!Number.isSafeInteger(size) || root.length !== 32 || root.toString('base64') !== rootB64) return null;
  return { origin, size, root: root.toString('hex'), extensions };
}

/**
 * The log's origin, which is also its signed-note key name: the configured one, else one naming
 * the log's first signing key (stable across rotations, unique per ledger).
 */
export function logOrigin(configured: string | undefined, keyring: Keyring, activeKeyId = ''): string {
  return configured ?? `vigil.ledger/${keyring.entries()[0]?.keyId ?? activeKeyId}`;
}

/** A checkpoint as a C2SP signed note, signed by the ledger key under the origin's name. */
export function checkpointNote(key: LedgerSigningKey, origin: string, size: number, rootHex: string): string {
  return signNote(encodeCheckpointBody(origin, size, rootHex), origin, key.privateKey, key.publicKey);
}

/** The verifier key (vkey) tlog tools are configured with for this log and key. */
export function checkpointVerifierKey(key: LedgerSigningKey, origin: string): string {
  return encodeVerifierKey(origin, key.publicKey);
}

/** Opens a checkpoint note signed by `key`; null when it is malformed, unsigned by it, or for another origin. */
export function openCheckpointNote(note: string, key: NoteKey): CheckpointBody | null {
  const parsed = parseNote(note);
  if (!parsed || !noteSignedBy(parsed, key)) return null;
  const body = parseCheckpointBody(parsed.text);
  return body && body.origin === key.name ? body : null;
}
