// What someone who can write the data directory (or who makes a bundle from nothing) can forge
// with a key of their own: every hash, proof and signature recomputed, so only the key gives it away.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { canonicalJson } from '../../src/core/canonical-json.js';
import type { JsonObject } from '../../src/core/events.js';
import type { StoreBundle } from '../../src/core/ports.js';
import {
  chainHashOf,
  encodeHeaderWith,
  GENESIS_HASH,
  payloadHash,
  sha256Hex,
} from '../../src/ledger/chain.js';
import { encodeCheckpointLine, signCheckpoint } from '../../src/ledger/checkpoint.js';
import { entryOf, type LedgerSigningKey } from '../../src/ledger/keyring.js';
import { leafHashFromHex, MerkleTree } from '../../src/ledger/merkle.js';
import { inclusionProof } from '../../src/ledger/merkle-proofs.js';
import { sqliteDatabase } from '../store/sqlite-handle.js';

/** A two-event session (a prompt bob never sent, then its end) in a log of its own, signed by `signer`. */
export function forgedBundle(signer: LedgerSigningKey, session: string): string {
  const identity = { groups: ['ai-eng'], kind: 'user', subject: 'bob@example.com' };
  const drafts: { type: string; payload: JsonObject }[] = [
    { type: 'llm.request', payload: { prompt: 'something bob never asked' } },
    { type: 'session.end', payload: { reason: 'done' } },
  ];
  let prev = GENESIS_HASH;
  const events = drafts.map((d, seq) => {
    const time = new Date(Date.UTC(2025, 0, 1, 0, 0, seq)).toISOString();
    const payload_hash = payloadHash(d.payload);
    const header = encodeHeaderWith(
      d.type,
      session,
      seq,
      time,
      'openai',
      canonicalJson(identity),
      payload_hash,
    );
    const hash = chainHashOf(prev, header);
    const event = { index: seq, session, seq, type: d.type, time, connection: 'openai', identity };
    const full = { ...event, payload_hash, payload: d.payload, prev_hash: prev, hash };
    prev = hash;
    return full;
  });
  const tree = new MerkleTree(events.map((e) => leafHashFromHex(e.hash)));
  const cp = signCheckpoint(signer, tree.size, tree.root().toString('hex'), '2025-01-01T00:01:00.000Z');
  const key = entryOf(signer);
  return canonicalJson({
    format: 'vigil-bundle',
    v: 1,
    session,
    checkpoint: { size: cp.size, root: cp.root, time: cp.time, key_id: cp.keyId, signature: cp.signature },
    public_key: { key_id: key.keyId, public_key: key.publicKey },
    events: events.map((e, i) => ({ ...e, proof: inclusionProof(tree, i).map((d) => d.toString('hex')) })),
  });
}

interface Row {
  idx: number;
  session_id: string;
  seq: number;
  type: string;
  time: string;
  connection: string;
  identity: string;
  payload: string | null;
}

/**
 * Rewrites event 0's payload in a SQLite ledger under `dataDir` and re-derives everything after it:
 * every chain hash, every checkpoint (signed by `signer`), the anchor, the session records' heads,
 * and the keyring (the signer's public key added, as a writer of the data directory can).
 */
export function rewriteHistory(
  store: StoreBundle,
  dataDir: string,
  signer: LedgerSigningKey,
  payload: object,
) {
  const db = sqliteDatabase(store);
  const rows = db.prepare('SELECT * FROM events ORDER BY idx').all() as Row[];
  const heads = new Map<string, string>();
  const leaves = [];
  for (const row of rows) {
    const text = row.idx === 0 ? canonicalJson(payload) : row.payload;
    const payloadHashHex = sha256Hex(text!);
    const id = JSON.parse(row.identity);
    const identity = canonicalJson({
      groups: id.groups,
      kind: id.kind,
      subject: id.subject,
      token_id: id.tokenId,
    });
    const prev = heads.get(row.session_id) ?? GENESIS_HASH;
    const hash = chainHashOf(
      prev,
      encodeHeaderWith(row.type, row.session_id, row.seq, row.time, row.connection, identity, payloadHashHex),
    );
    db.prepare('UPDATE events SET payload = ?, payload_hash = ?, prev_hash = ?, hash = ? WHERE idx = ?').run(
      text,
      payloadHashHex,
      prev,
      hash,
      row.idx,
    );
    heads.set(row.session_id, hash);
    leaves.push(leafHashFromHex(hash));
  }
  for (const [id, hash] of heads) db.prepare('UPDATE sessions SET last_hash = ? WHERE id = ?').run(hash, id);
  const sizes = db.prepare('SELECT size, time FROM checkpoints ORDER BY size').all() as {
    size: number;
    time: string;
  }[];
  const lines: string[] = [];
  for (const { size, time } of sizes) {
    const cp = signCheckpoint(
      signer,
      size,
      new MerkleTree(leaves.slice(0, size)).root().toString('hex'),
      time,
    );
    db.prepare('UPDATE checkpoints SET root = ?, key_id = ?, signature = ? WHERE size = ?').run(
      cp.root,
      cp.keyId,
      cp.signature,
      size,
    );
    lines.push(`${encodeCheckpointLine(cp)}\n`);
  }
  writeFileSync(join(dataDir, 'anchor.jsonl'), lines.join(''));
  return { keyringEntry: entryOf(signer) };
}
