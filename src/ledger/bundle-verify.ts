// Verifies an export bundle with nothing but the bundle: canonical spelling, every event's chain
// link, header hash and payload hash, every inclusion proof against the checkpoint's root, the
// checkpoint's signature, and that the public key is the one the key id names. A missing payload
// must be named by a purge record the bundle carries (`purges`, each proven in the same signed
// log), as in the ledger: otherwise it was erased unseen.
// A bundle carries its own public key, so by itself it proves only that it is consistent with that
// key: anyone can make one with a key of their own. Trust comes from keys the verifier holds
// (`trusted`, e.g. `vigil keys public --json` obtained from the operator out of band).
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

export interface BundleReport {
  readonly ok: boolean;
  readonly fault: LedgerFault | null;
  readonly session: string | null;
  readonly events: number;
  /** Events whose payload a purge record in the bundle names as purged. */
  readonly purged: number;
  /** Global indexes of the purge records the bundle carries. */
  readonly purgeRecords: readonly number[];
  /** Whether the session's last event is its session.end. */
  readonly complete: boolean;
  readonly checkpoint: SignedCheckpoint | null;
  /** Whether the bundle's key is one of the verifier's trusted keys (false when none were given). */
  readonly keyTrusted: boolean;
}

const HEX64 = /^[0-9a-f]{64}$/;
const EVENT_KEYS =
  'connection,hash,identity,index,payload,payload_hash,prev_hash,proof,seq,session,time,type';
const BUNDLE_KEYS = 'checkpoint,events,format,public_key,session,v';
/** With the purge records that name the session's missing payloads. */
const BUNDLE_KEYS_WITH_PURGES = 'checkpoint,events,format,public_key,purges,session,v';

class Fault extends Error {
  constructor(readonly fault: LedgerFault) {
    super(fault.message);
  }
}
const fail = (kind: FaultKind, message: string, index?: number): never => {
  throw new Fault(index === undefined ? { kind, message } : { kind, message, index });
};

type Obj = Record<string, unknown>;
const isObject = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const keysOf = (o: Obj) => Object.keys(o).sort().join(',');

/**
 * The report on a bundle file too large to read at all (past what one buffer holds): like one too
 * long to decode, it is none `vigil export` writes (see bundleText).
 */
export function oversizedBundleReport(bytes: number): BundleReport {
  return {
    ok: false,
    fault: {
      kind: 'bundle_malformed',
      message: `the bundle (${bytes} bytes) is longer than any export: not a bundle vigil export writes`,
    },
    session: null,
    events: 0,
    purged: 0,
    purgeRecords: [],
    complete: false,
    checkpoint: null,
    keyTrusted: false,
  };
}

/** `trusted`: the keys the verifier holds; the bundle's own key must be one of them. */
export function verifyBundle(input: string | Uint8Array, trusted?: Keyring): BundleReport {
  let session: string | null = null;
  let checkpoint: SignedCheckpoint | null = null;
  let events = 0;
  let purged = 0;
  const purgeRecords: number[] = [];
  let complete = false;
  let keyTrusted = false;
  try {
    const text = typeof input === 'string' ? input : bundleText(input);
    if (typeof input !== 'string' && !Buffer.from(text, 'utf8').equals(Buffer.from(input))) {
      fail('bundle_malformed', 'the bundle is not valid UTF-8');
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      return fail('bundle_malformed', 'the bundle is not JSON');
    }
    // One spelling only (a trailing newline allowed): no byte can change without changing a value.
    // JSON.parse takes what canonical JSON cannot spell (1e400 is Infinity) or nests too deep to encode.
    let canonical: string;
    try {
      canonical = canonicalJson(parsed);
    } catch {
      return fail('bundle_malformed', 'the bundle is not canonical JSON');
    }
    if (text !== canonical && text !== `${canonical}\n`)
      fail('bundle_malformed', 'the bundle is not canonical JSON');
    if (!isObject(parsed) || (keysOf(parsed) !== BUNDLE_KEYS && keysOf(parsed) !== BUNDLE_KEYS_WITH_PURGES))
      fail('bundle_malformed', 'the bundle lacks or adds fields');
    const bundle = parsed as Obj;
    if (bundle.format !== BUNDLE_FORMAT || bundle.v !== BUNDLE_VERSION) {
      fail('bundle_malformed', `not a ${BUNDLE_FORMAT} version ${BUNDLE_VERSION}`);
    }
    if (typeof bundle.session !== 'string') fail('bundle_malformed', 'the session id is missing');
    session = bundle.session as string;
    checkpoint = decodeCheckpoint(bundle.checkpoint);
    if (!checkpoint) return fail('bundle_malformed', 'the checkpoint is malformed');
    const key = bundle.public_key;
    if (
      !isObject(key) ||
      keysOf(key) !== 'key_id,public_key' ||
      typeof key.key_id !== 'string' ||
      typeof key.public_key !== 'string'
    ) {
      return fail('bundle_malformed', 'the public key is malformed');
    }
    let keyring: Keyring;
    try {
      keyring = new Keyring([{ keyId: key.key_id, publicKey: key.public_key, created: '' }]);
    } catch {
      return fail('unknown_key', 'the public key does not match its key id');
    }
    const signature = checkCheckpointSignature(checkpoint, keyring);
    if (signature !== 'ok') fail(signature, `the checkpoint's signature does not verify (${signature})`);
    if (trusted) {
      if (trusted.entry(key.key_id)?.publicKey !== key.public_key) {
        fail(
          'unknown_key',
          `the bundle is signed by key ${key.key_id}, which is not one of the trusted keys`,
        );
      }
      keyTrusted = true;
    }
    const root = Buffer.from(checkpoint.root, 'hex');
    if (!Array.isArray(bundle.events) || bundle.events.length === 0)
      fail('bundle_malformed', 'the bundle has no events');
    const proven = { root, size: checkpoint.size };
    const coverage = new PurgeCoverage(
      bundle.purges === undefined ? [] : checkPurgeRecords(bundle.purges, proven, purgeRecords),
    );
    let prev = GENESIS_HASH;
    let lastIndex = -1;
    for (const [seq, e] of (bundle.events as unknown[]).entries()) {
      if (!isObject(e) || keysOf(e) !== EVENT_KEYS)
        return fail('bundle_malformed', `event ${seq} lacks or adds fields`);
      const index = e.index as number;
      if (!Number.isSafeInteger(index) || index <= lastIndex)
        fail('index_gap', `event ${seq}'s index is out of order`);
      const at = index;
      if (e.session !== session) fail('bundle_malformed', `event ${seq} belongs to another session`, at);
      if (e.seq !== seq) fail('seq_gap', `event ${index} has seq ${String(e.seq)}, expected ${seq}`, at);
      if (e.prev_hash !== prev)
        fail('chain_broken', `event ${index} does not link to the previous event`, at);
      checkProvenEvent(e, index, proven);
      if (e.payload === null) {
        if (e.type === PURGE_RECORD_TYPE || !coverage.covers(index, e.time as string)) {
          fail(
            'payload_missing',
            `event ${index} (${String(e.type)}, session ${session} seq ${seq}) has no payload and no purge record in the bundle names it`,
            at,
          );
        }
        purged++;
      }
      prev = e.hash as string;
      lastIndex = index;
      complete = e.type === 'session.end';
      events++;
    }
    return { ok: true, fault: null, session, events, purged, purgeRecords, complete, checkpoint, keyTrusted };
  } catch (err) {
    if (!(err instanceof Fault)) throw err;
    const report = { session, events, purged, purgeRecords, complete, checkpoint, keyTrusted };
    return { ok: false, fault: err.fault, ...report };
  }
}

/**
 * The bundle's bytes as text. `vigil export` builds a bundle as one string, so one that decodes to
 * more than a string can hold (512 MiB of UTF-16 in Node) is none it made. Until 6 December such a
 * file threw out of `vigil verify --bundle` with a stack trace and exit code 2 (a usage error), not
 * a report; it is now `bundle_malformed`, exit code 1, like any other bundle that does not verify.
 */
function bundleText(input: Uint8Array): string {
  try {
    return Buffer.from(input.buffer, input.byteOffset, input.byteLength).toString('utf8');
  } catch (err) {
    if ((err as { code?: unknown }).code !== 'ERR_STRING_TOO_LONG') throw err;
    throw new Fault(oversizedBundleReport(input.byteLength).fault!);
  }
}

interface ProvenLog {
  readonly root: Buffer;
  readonly size: number;
}

/**
 * One event's own checks: its fields, its header against its hash, its payload (when present)
 * against its payload hash, and its inclusion proof in the signed log. Its chain link and place in
 * a session are the caller's.
 */
function checkProvenEvent(e: Obj, index: number, log: ProvenLog): void {
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
  if (!verifyInclusion(leafHashFromHex(e.hash as string), index, log.size, path, log.root)) {
    fail('inclusion_invalid', `event ${index} is not in the signed log at that position`, index);
  }
}

/** The purge records a bundle carries, each proven in the signed log; what they name, for coverage. */
function checkPurgeRecords(
  purges: unknown,
  log: ProvenLog,
  indexes: number[],
): (PurgePlan & { readonly index: number })[] {
  if (!Array.isArray(purges) || purges.length === 0)
    fail('bundle_malformed', 'the purge records are malformed');
  const plans: (PurgePlan & { readonly index: number })[] = [];
  let lastIndex = -1;
  for (const e of purges as unknown[]) {
    if (!isObject(e) || keysOf(e) !== EVENT_KEYS)
      return fail('bundle_malformed', 'a purge record lacks or adds fields');
    const index = e.index as number;
    if (!Number.isSafeInteger(index) || index <= lastIndex)
      fail('bundle_malformed', 'the purge records are out of order');
    if (e.type !== PURGE_RECORD_TYPE) fail('bundle_malformed', `event ${index} is not a purge record`, index);
    if (e.payload === null) fail('payload_missing', `purge record ${index} has no payload`, index);
    checkProvenEvent(e, index, log);
    const plan = parsePurgeRecord(canonicalJson(e.payload));
    if (!plan) fail('bundle_malformed', `purge record ${index} does not name what it purged`, index);
    plans.push({ ...plan!, index });
    indexes.push(index);
    lastIndex = index;
  }
  return plans;
}
