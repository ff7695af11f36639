// Witness cosignatures (https://c2sp.org/tlog-cosignature, Ed25519 `cosignature/v1`): a note
// signature whose bytes are a big-endian u64 timestamp then an Ed25519 signature over
// "cosignature/v1\ntime <timestamp>\n" followed by the checkpoint's note text. A witness states by it
// that, at that time, this was the largest consistent tree it had seen for the log. Pure: no I/O.
import { type KeyObject, sign, verify } from 'node:crypto';
import { rawPublicKey } from './keyring.js';
import { type NoteKey, noteKeyId, type ParsedNote, SIGNATURE_TYPE, signatureLine } from './signed-note.js';

function signedMessage(timestamp: bigint, checkpointText: string): Buffer {
  return Buffer.from(`cosignature/v1\ntime ${timestamp}\n${checkpointText}`, 'utf8');
}

/** A cosignature line (with its newline) by the witness `name` over a checkpoint's note text. */
export function cosign(
  checkpointText: string,
  name: string,
  privateKey: KeyObject,
  publicKey: KeyObject,
  timestampSeconds: number,
): string {
  const timestamp = BigInt(Math.floor(timestampSeconds));
  const bytes = Buffer.alloc(8 + 64);
  bytes.writeBigUInt64BE(timestamp, 0);
  sign(null, signedMessage(timestamp, checkpointText), privateKey).copy(bytes, 8);
  const keyId = noteKeyId(name, SIGNATURE_TYPE.cosignatureV1, rawPublicKey(publicKey));
  return signatureLine(name, keyId, bytes);
}

/**
 * The last second a JavaScript date can show (8.64e15 ms). A cosignature dated later is no
 * cosignature: until 6 December one that verified was kept by the gateway, and `vigil verify`, which
 * shows the time as a date, then threw on every run, so one configured witness (hostile or broken)
 * could take offline verification away (test/ledger/attacker-dec6-witness-time.test.ts).
 */
export const LATEST_COSIGNATURE_SECONDS = 8_640_000_000_000;

/**
 * The time (POSIX seconds) of a valid cosignature by `witness` on `note`, or null when it has none
 * (a signature dated past LATEST_COSIGNATURE_SECONDS does not count).
 */
export function cosignedAt(note: ParsedNote, witness: NoteKey): number | null {
  if (witness.type !== SIGNATURE_TYPE.cosignatureV1) return null;
  const id = noteKeyId(witness.name, SIGNATURE_TYPE.cosignatureV1, rawPublicKey(witness.publicKey));
  for (const s of note.signatures) {
    if (s.name !== witness.name || s.keyId !== id || s.signature.length !== 72) continue;
    const timestamp = s.signature.readBigUInt64BE(0);
    if (timestamp > BigInt(LATEST_COSIGNATURE_SECONDS)) continue;
    if (verify(null, signedMessage(timestamp, note.text), witness.publicKey, s.signature.subarray(8))) {
      return Number(timestamp);
    }
  }
  return null;
}
