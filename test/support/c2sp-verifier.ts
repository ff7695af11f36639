// Verifiers of C2SP signed notes (c2sp.org/signed-note, tlog-checkpoint) and Ed25519 cosignatures
// (c2sp.org/tlog-cosignature) written from the specs alone, sharing no code with Vigil, as a
// monitor or witness written elsewhere would check what Vigil produces.
import assert from 'node:assert/strict';
import { createHash, type KeyObject, verify } from 'node:crypto';

/** From the spec: `— name base64(keyid4 || sig)` lines after the last blank line; Ed25519 over the text. */
export function independentlyVerify(note: string, name: string, publicKey: KeyObject) {
  const raw = publicKey.export({ type: 'spki', format: 'der' }).subarray(-32);
  const expectedId = createHash('sha256')
    .update(Buffer.concat([Buffer.from(name, 'utf8'), Buffer.from([0x0a, 0x01]), raw]))
    .digest()
    .subarray(0, 4);
  const sep = note.lastIndexOf('\n\n');
  assert.ok(sep > 0, 'a note has a blank line before its signatures');
  const text = note.slice(0, sep + 1);
  const sigLines = note
    .slice(sep + 2)
    .split('\n')
    .filter(Boolean);
  const ok = sigLines.some((line) => {
    const m = /^\u2014 (\S+) (\S+)$/u.exec(line);
    if (!m || m[1] !== name) return false;
    const blob = Buffer.from(m[2]!, 'base64');
    return (
      blob.subarray(0, 4).equals(expectedId) && verify(null, Buffer.from(text), publicKey, blob.subarray(4))
    );
  });
  const [origin, size, root, ...rest] = text.slice(0, -1).split('\n');
  return { ok, origin, size: Number(size), rootHex: Buffer.from(root ?? '', 'base64').toString('hex'), rest };
}

/** From the spec: `— name base64(keyid || u64 time || sig)`, sig over "cosignature/v1\ntime T\n" + body. */
export function independentCosignatureTime(
  checkpointText: string,
  lines: string,
  name: string,
  publicKey: KeyObject,
): number | null {
  const raw = publicKey.export({ type: 'spki', format: 'der' }).subarray(-32);
  const id = createHash('sha256')
    .update(Buffer.concat([Buffer.from(name), Buffer.from([0x0a, 0x04]), raw]))
    .digest()
    .subarray(0, 4);
  for (const line of lines.split('\n')) {
    const m = /^\u2014 (\S+) (\S+)$/u.exec(line);
    if (!m || m[1] !== name) continue;
    const blob = Buffer.from(m[2]!, 'base64');
    if (blob.length !== 4 + 8 + 64 || !blob.subarray(0, 4).equals(id)) continue;
    const time = blob.readBigUInt64BE(4);
    const message = Buffer.from(`cosignature/v1\ntime ${time}\n${checkpointText}`);
    if (verify(null, message, publicKey, blob.subarray(12))) return Number(time);
  }
  return null;
}
