// The checks of an export bundle, one part at a time, so a bundle can be checked as it is read
// (bundle-stream.ts) as well as whole (bundle-verify.ts): its checkpoint, each event (chain link,
// header hash, payload hash, inclusion proof against the checkpoint's root), each purge record, and
// the members canonical JSON puts after the events (format, public key, session id). A missing
// payload must be named by one of the bundle's purge records; since those come after the events in
// the file, a missing payload seen before them is judged once they are read.
import { hash as oneShotHash } from 'node:crypto';
import { canonicalJson } from '../core/canonical-json.js';
import type { PurgePlan, SignedCheckpoint } from '../core/ports.js';
import { BUNDLE_FORMAT, BUNDLE_VERSION } from './bundle.js';
import { chainHashOf, encodeHeaderWith, GENESIS_HASH } from './chain.js';
import { checkCheckpointSignature, decodeCheckpoint } from './checkpoint.js';
import { PURGE_RECORD_TYPE } from './event-source.js';
import type { FaultKind, LedgerFault } from './faults.js';
import { Keyring } from './keyring.js';
import { leafHashFromHex } from './merkle.js';
import { verifyInclusion } from './merkle-proofs.js';
import { PurgeCoverage, parsePurgeRecord } from './purge-record.js';

export class BundleFault extends Error {
  constructor(readonly fault: LedgerFault) {
    super(fault.message);
  }
}
export function fail(kind: FaultKind, message: string, index?: number): never {
  throw new BundleFault(index === undefined ? { kind, message } : { kind, message, index });
}

type Obj = Record<string, unknown>;
export const isObject = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
export const keysOf = (o: Obj) => Object.keys(o).sort().join(',');

const HEX64 = /^[0-9a-f]{64}$/;
const EVENT_KEYS =
  'connection,hash,identity,index,payload,payload_hash,prev_hash,proof,seq,session,time,type';

/** The members after `events` in a bundle's canonical spelling (purges are taken one by one). */
export interface BundleTail {
  readonly format: unknown;
  readonly v: unknown;
  readonly publicKey: unknown;
  readonly session: unknown;
}

export class BundleChecks {
  readonly checkpoint: SignedCheckpoint;
  session: string | null = null;
  events = 0;
  purged = 0;
  readonly purgeRecords: number[] = [];
  complete = false;
  keyTrusted = false;
  readonly #root: Buffer;
  readonly #trusted: Keyring | undefined;
  #prev = GENESIS_HASH;
  #lastIndex = -1;
  #lastPurge = -1;
  readonly #plans: (PurgePlan & { readonly index: number })[] = [];
  /** Set once the purge records are all known: missing payloads are judged at once from then on. */
  #coverage: PurgeCoverage | null = null;
  /** Missing payloads seen before the purge records were read: index, time, type, seq. */
  readonly #waiting: { index: number; time: string; type: string; seq: number }[] = [];

  /** `trusted`: the verifier's keys. The checkpoint is then checked against them before any event. */
  constructor(checkpoint: unknown, trusted?: Keyring) {
    const decoded = decodeCheckpoint(checkpoint);
    if (!decoded) throw new BundleFault({ kind: 'bundle_malformed', message: 'the checkpoint is malformed' });
    this.checkpoint = decoded;
    this.#root = Buffer.from(decoded.root, 'hex');
    this.#trusted = trusted;
  }

  /** With trusted keys, a checkpoint none of them signed stops the check before the events are read. */
  checkTrustedSignature(): void {
    if (!this.#trusted) return;
    if (!this.#trusted.entry(this.checkpoint.keyId)) {
      fail(
        'unknown_key',
        `the bundle is signed by key ${this.checkpoint.keyId}, which is not one of the trusted keys`,
      );
    }
    const signature = checkCheckpointSignature(this.checkpoint, this.#trusted);
    if (signature !== 'ok') fail(signature, `the checkpoint's signature does not verify (${signature})`);
  }

  /** Format, version, session id, public key and the checkpoint's signature with it. */
  tail({ format, v, publicKey, session }: BundleTail): void {
    if (format !== BUNDLE_FORMAT || v !== BUNDLE_VERSION)
      fail('bundle_malformed', `not a ${BUNDLE_FORMAT} version ${BUNDLE_VERSION}`);
    if (typeof session !== 'string') fail('bundle_malformed', 'the session id is missing');
    if (this.session !== null && this.session !== session)
      fail('bundle_malformed', `the bundle names session ${session}, its events another`);
    this.session = session;
    if (
      !isObject(publicKey) ||
      keysOf(publicKey) !== 'key_id,public_key' ||
      typeof publicKey.key_id !== 'string' ||
      typeof publicKey.public_key !== 'string'
    ) {
      fail('bundle_malformed', 'the public key is malformed');
    }
    let keyring: Keyring;
    try {
      keyring = new Keyring([{ keyId: publicKey.key_id, publicKey: publicKey.public_key, created: '' }]);
    } catch {
      fail('unknown_key', 'the public key does not match its key id');
    }
    const signature = checkCheckpointSignature(this.checkpoint, keyring);
    if (signature !== 'ok') fail(signature, `the checkpoint's signature does not verify (${signature})`);
    if (this.#trusted) {
      if (this.#trusted.entry(publicKey.key_id)?.publicKey !== publicKey.public_key) {
        fail(
          'unknown_key',
          `the bundle is signed by key ${publicKey.key_id}, which is not one of the trusted keys`,
        );
      }
      this.keyTrusted = true;
    }
  }

  /** The session's next event: seq, index order, session, chain link, its own hashes and proof. */
  event(e: unknown): void {
    const seq = this.events;
    if (!isObject(e) || keysOf(e) !== EVENT_KEYS)
      fail('bundle_malformed', `event ${seq} lacks or adds fields`);
    const index = e.index as number;
    if (!Number.isSafeInteger(index) || index <= this.#lastIndex)
      fail('index_gap', `event ${seq}'s index is out of order`);
    if (this.session === null && typeof e.session === 'string') this.session = e.session;
    if (e.session !== this.session)
      fail('bundle_malformed', `event ${seq} belongs to another session`, index);
    if (e.seq !== seq) fail('seq_gap', `event ${index} has seq ${String(e.seq)}, expected ${seq}`, index);
    if (e.prev_hash !== this.#prev)
      fail('chain_broken', `event ${index} does not link to the previous event`, index);
    this.#proven(e, index);
    if (e.payload === null) {
      const missing = { index, time: e.time as string, type: e.type as string, seq };
      if (this.#coverage) this.#judge(this.#coverage, missing);
      else this.#waiting.push(missing);
      this.purged++;
    }
    this.#prev = e.hash as string;
    this.#lastIndex = index;
    this.complete = e.type === 'session.end';
    this.events++;
  }

  /** One of the purge records, in index order, each proven in the signed log. */
  purge(e: unknown): void {
    if (!isObject(e) || keysOf(e) !== EVENT_KEYS)
      fail('bundle_malformed', 'a purge record lacks or adds fields');
    const index = e.index as number;
    if (!Number.isSafeInteger(index) || index <= this.#lastPurge)
      fail('bundle_malformed', 'the purge records are out of order');
    if (e.type !== PURGE_RECORD_TYPE) fail('bundle_malformed', `event ${index} is not a purge record`, index);
    if (e.payload === null) fail('payload_missing', `purge record ${index} has no payload`, index);
    this.#proven(e, index);
    const plan = parsePurgeRecord(canonicalJson(e.payload));
    if (!plan) fail('bundle_malformed', `purge record ${index} does not name what it purged`, index);
    this.#plans.push({ ...plan, index });
    this.purgeRecords.push(index);
    this.#lastPurge = index;
  }

  /** The purge records are all read: judge the missing payloads waiting for them, and any later one. */
  purgesRead(): void {
    this.#coverage = new PurgeCoverage(this.#plans);
    for (const missing of this.#waiting) this.#judge(this.#coverage, missing);
    this.#waiting.length = 0;
  }

  /** Every part read. */
  end(): void {
    if (this.events === 0) fail('bundle_malformed', 'the bundle has no events');
    if (!this.#coverage) this.purgesRead();
  }

  #judge(coverage: PurgeCoverage, m: { index: number; time: string; type: string; seq: number }): void {
    if (m.type === PURGE_RECORD_TYPE || !coverage.covers(m.index, m.time)) {
      fail(
        'payload_missing',
        `event ${m.index} (${m.type}, session ${this.session} seq ${m.seq}) has no payload and no purge record in the bundle names it`,
        m.index,
      );
    }
  }

  /**
   * One event's own checks: its fields, its header against its hash, its payload (when present)
   * against its payload hash, and its inclusion proof in the signed log.
   */
  #proven(e: Obj, index: number): void {
    for (const field of ['payload_hash', 'prev_hash', 'hash'] as const) {
      if (typeof e[field] !== 'string' || !HEX64.test(e[field] as string)) {
        fail('bundle_malformed', `event ${index}'s ${field} is not 64 hex characters`, index);
      }
    }
    if (
      typeof e.type !== 'string' ||
      typeof e.session !== 'string' ||
      !Number.isSafeInteger(e.seq) ||
      typeof e.time !== 'string' ||
      typeof e.connection !== 'string' ||
      !isObject(e.identity)
    ) {
      fail('bundle_malformed', `event ${index}'s header is malformed`, index);
    }
    const header = encodeHeaderWith(
      e.type as string,
      e.session as string,
      e.seq as number,
      e.time as string,
      e.connection as string,
      canonicalJson(e.identity),
      e.payload_hash as string,
    );
    if (chainHashOf(e.prev_hash as string, header) !== e.hash)
      fail('hash_mismatch', `event ${index} does not hash to its hash`, index);
    if (
      e.payload !== null &&
      (!isObject(e.payload) || oneShotHash('sha256', canonicalJson(e.payload), 'hex') !== e.payload_hash)
    ) {
      fail('payload_mismatch', `event ${index}'s payload does not match its payload hash`, index);
    }
    const proof = e.proof;
    if (!Array.isArray(proof) || !proof.every((p) => typeof p === 'string' && HEX64.test(p))) {
      fail('bundle_malformed', `event ${index}'s proof is malformed`, index);
    }
    const path = (proof as string[]).map((p) => Buffer.from(p, 'hex'));
    const size = this.checkpoint.size;
    if (!verifyInclusion(leafHashFromHex(e.hash as string), index, size, path, this.#root)) {
      fail('inclusion_invalid', `event ${index} is not in the signed log at that position`, index);
    }
  }
}
