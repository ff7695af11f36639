// Signed checkpoints: the statement `{key_id, root, size, time}` in canonical JSON, signed with
// Ed25519. The same five fields (plus `signature`) form one line of the anchor file.
import { sign, verify } from 'node:crypto';
import { canonicalJson } from '../core/canonical-json.js';
import type { SignedCheckpoint } from '../core/ports.js';
import type { Keyring, LedgerSigningKey } from './keyring.js';

/** The exact bytes that are signed. */
export function checkpointStatement(size: number, root: string, time: string, keyId: string): string {
  return canonicalJson({ size, root, time, key_id: keyId });
}

export function signCheckpoint(
  key: LedgerSigningKey,
  size: number,
  root: string,
  time: string,
): SignedCheckpoint {
  const statement = Buffer.from(checkpointStatement(size, root, time, key.keyId));
  const signature = sign(null, statement, key.privateKey).toString('base64');
  return { size, root, time, keyId: key.keyId, signature };
}

export const SIGNATURE_CHECKS = ['ok', 'unknown_key', 'signature_invalid'] as const;
export type SignatureCheck = (typeof SIGNATURE_CHECKS)[number];

export function checkCheckpointSignature(cp: SignedCheckpoint, keyring: Keyring): SignatureCheck {
  const key = keyring.get(cp.keyId);
  if (!key) return 'unknown_key';
  // Base64 decoding ignores stray bits and characters: insist on the one canonical spelling.
  const signature = Buffer.from(cp.signature, 'base64');
  if (signature.length !== 64 || signature.toString('base64') !== cp.signature) return 'signature_invalid';
  const statement = Buffer.from(checkpointStatement(cp.size, cp.root, cp.time, cp.keyId));
  return verify(null, statement, key, signature) ? 'ok' : 'signature_invalid';
}

/** One anchor line (without its newline): canonical JSON of the five fields. */
export function encodeCheckpointLine(cp: SignedCheckpoint): string {
  return canonicalJson({
    size: cp.size,
    root: cp.root,
    time: cp.time,
    key_id: cp.keyId,
    signature: cp.signature,
  });
}

const HEX64 = /^[0-9a-f]{64}$/;
const KEY_ID = /^[0-9a-f]{16}$/;

/** Strictly decodes a checkpoint object (snake_case keys, no others); null when it is not one. */
export function decodeCheckpoint(value: unknown): SignedCheckpoint | null {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return null;
  const o = value as Record<string, unknown>;
  const keys = Object.keys(o).sort().join(',');
  if (keys !== 'key_id,root,signature,size,time') return null;
  if (!Number.isSafeInteger(o.size) || (o.size as number) < 0) return null;
  if (typeof o.root !== 'string' || !HEX64.test(o.root)) return null;
  if (typeof o.time !== 'string' || typeof o.signature !== 'string') return null;
  if (typeof o.key_id !== 'string' || !KEY_ID.test(o.key_id)) return null;
  return { size: o.size as number, root: o.root, time: o.time, keyId: o.key_id, signature: o.signature };
}

export function sameCheckpoint(a: SignedCheckpoint, b: SignedCheckpoint): boolean {
  return (
    a.size === b.size &&
    a.root === b.root &&
    a.time === b.time &&
    a.keyId === b.keyId &&
    a.signature === b.signature
  );
}
