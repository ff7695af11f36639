// C2SP signed notes (https://c2sp.org/signed-note): a UTF-8 text, a blank line, and signature lines
// `— <key name> <base64(4-byte key id || signature)>`. Transparency-log tooling (witnesses, monitors,
// sumdb-style verifiers) reads checkpoints in this envelope, so Vigil signs one beside its own
// JSON checkpoint statement. Pure: no I/O.
import { createHash, type KeyObject, sign, verify } from 'node:crypto';
import { publicKeyFromRaw, rawPublicKey } from './keyring.js';

/** Signature types of the spec's key-id derivation: Ed25519 notes and tlog cosignatures. */
export const SIGNATURE_TYPE = { ed25519: 0x01, cosignatureV1: 0x04 } as const;

const EM_DASH_PREFIX = '\u2014 ';
const KEY_NAME = /^[^\s+]+$/u;
// The note text may hold no control characters except newline.
const CONTROL = /[\u0000-\u0009\u000b-\u001f\u007f]/u;

export interface NoteSignature {
  readonly name: string;
  /** The 4-byte key id, as an unsigned integer. */
  readonly keyId: number;
  /** What follows the key id: the signature (for cosignatures, timestamp then signature). */
  readonly signature: Buffer;
}

export interface ParsedNote {
  /** The signed text, ending in a newline. */
  readonly text: string;
  readonly signatures: readonly NoteSignature[];
}

/** A note's signer or verifier key: its name, its type and its raw Ed25519 public key. */
export interface NoteKey {
  readonly name: string;
  readonly type: number;
  readonly publicKey: KeyObject;
}

/** Key id per the spec: the first four bytes of SHA-256(name || 0x0A || type || public key). */
export function noteKeyId(name: string, type: number, publicRaw: Uint8Array): number {
  const digest = createHash('sha256')
    .update(name, 'utf8')
    .update(Buffer.from([0x0a, type]))
    .update(publicRaw)
    .digest();
  return digest.readUInt32BE(0);
}

/** The vkey encoding tlog tools take: `<name>+<hex key id>+<base64(type || public key)>`. */
export function encodeVerifierKey(name: string, publicKey: KeyObject, type: number = SIGNATURE_TYPE.ed25519) {
  const raw = rawPublicKey(publicKey);
  const id = noteKeyId(name, type, raw).toString(16).padStart(8, '0');
  return `${name}+${id}+${Buffer.concat([Buffer.from([type]), raw]).toString('base64')}`;
}

/** Parses a vkey; null when it is malformed or its key id does not match its key. */
export function parseVerifierKey(vkey: string): NoteKey | null {
  // The key's base64 may itself hold plus signs: only the first two separate fields.
  const m = /^([^+]+)\+([^+]*)\+(.*)$/su.exec(vkey.trim());
  if (!m) return null;
  const [, name, idHex, keyB64] = m as unknown as [string, string, string, string];
  if (!KEY_NAME.test(name) || !/^[0-9a-f]{8}$/.test(idHex)) return null;
  const bytes = Buffer.from(keyB64, 'base64');
  if (bytes.toString('base64') !== keyB64 || bytes.length !== 33) return null;
  const type = bytes[0]!;
  if (type !== SIGNATURE_TYPE.ed25519 && type !== SIGNATURE_TYPE.cosignatureV1) return null;
  const raw = bytes.subarray(1);
  if (noteKeyId(name, type, raw) !== Number.parseInt(idHex, 16)) return null;
  return { name, type, publicKey: publicKeyFromRaw(raw) };
}

/** One signature line (with its newline). */
export function signatureLine(name: string, keyId: number, signature: Uint8Array): string {
  const id = Buffer.alloc(4);
  id.writeUInt32BE(keyId, 0);
  return `${EM_DASH_PREFIX}${name} ${Buffer.concat([id, signature]).toString('base64')}\n`;
}

/** Signs `text` (which must end in a newline) as a one-signature note. */
export function signNote(text: string, name: string, privateKey: KeyObject, publicKey: KeyObject): string {
  assertNoteText(text);
  if (!KEY_NAME.test(name)) throw new RangeError('a note key name has no spaces or plus signs');
  const keyId = noteKeyId(name, SIGNATURE_TYPE.ed25519, rawPublicKey(publicKey));
  const signature = sign(null, Buffer.from(text, 'utf8'), privateKey);
  return `${text}\n${signatureLine(name, keyId, signature)}`;
}

/** Splits a note into its text and signature lines; null when it is not a well-formed note. */
export function parseNote(note: string): ParsedNote | null {
  if (note.length > 1_000_000) return null;
  const split = note.lastIndexOf('\n\n');
  if (split < 0 || !note.endsWith('\n')) return null;
  const text = note.slice(0, split + 1);
  if (CONTROL.test(text)) return null;
  const lines = note.slice(split + 2, -1).split('\n');
  const signatures: NoteSignature[] = [];
  for (const line of lines) {
    if (!line.startsWith(EM_DASH_PREFIX)) return null;
    const rest = line.slice(EM_DASH_PREFIX.length);
    const space = rest.indexOf(' ');
    if (space <= 0) return null;
    const name = rest.slice(0, space);
    const b64 = rest.slice(space + 1);
    const bytes = Buffer.from(b64, 'base64');
    if (!KEY_NAME.test(name) || bytes.length < 5 || bytes.toString('base64') !== b64) return null;
    signatures.push({ name, keyId: bytes.readUInt32BE(0), signature: bytes.subarray(4) });
  }
  return signatures.length > 0 ? { text, signatures } : null;
}

/** Whether `note` carries a valid Ed25519 signature by `key` over its text. */
export function noteSignedBy(note: ParsedNote, key: NoteKey): boolean {
  const id = noteKeyId(key.name, SIGNATURE_TYPE.ed25519, rawPublicKey(key.publicKey));
  return note.signatures.some(
    (s) =>
      s.name === key.name &&
      s.keyId === id &&
      s.signature.length === 64 &&
      verify(null, Buffer.from(note.text, 'utf8'), key.publicKey, s.signature),
  );
}

function assertNoteText(text: string): void {
  // The text may hold blank lines, but not end in one: the last blank line separates the signatures.
  if (!text.endsWith('\n') || text.endsWith('\n\n') || text === '\n' || CONTROL.test(text)) {
    throw new RangeError('a note text ends in one newline and holds no control character');
  }
}
