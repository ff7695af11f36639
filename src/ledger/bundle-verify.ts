// Verifies an export bundle with nothing but the bundle: canonical spelling, every event's chain
// link, header hash and payload hash, every inclusion proof against the checkpoint's root, the
// checkpoint's signature, and that the public key is the one the key id names. A missing payload
// must be named by a purge record the bundle carries (`purges`, each proven in the same signed
// log), as in the ledger: otherwise it was erased unseen.
// A bundle carries its own public key, so by itself it proves only that it is consistent with that
// key: anyone can make one with a key of their own. Trust comes from keys the verifier holds
// (`trusted`, e.g. `vigil keys public --json` obtained from the operator out of band).
import { canonicalJson } from '../core/canonical-json.js';
import type { SignedCheckpoint } from '../core/ports.js';
import { BUNDLE_FORMAT, BUNDLE_VERSION } from './bundle.js';
import { BundleChecks, BundleFault, fail, isObject, keysOf } from './bundle-checks.js';
import type { LedgerFault } from './faults.js';
import type { Keyring } from './keyring.js';

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

const BUNDLE_KEYS = 'checkpoint,events,format,public_key,session,v';
/** With the purge records that name the session's missing payloads. */
const BUNDLE_KEYS_WITH_PURGES = 'checkpoint,events,format,public_key,purges,session,v';

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

/**
 * A bundle held whole (the gateway's own exports, at most a few MiB). `trusted`: the keys the
 * verifier holds; the bundle's own key must be one of them. A file is checked as it is read, in
 * bounded memory, by bundle-stream.ts, with the same checks (bundle-checks.ts).
 */
export function verifyBundle(input: string | Uint8Array, trusted?: Keyring): BundleReport {
  let checks: BundleChecks | null = null;
  let session: string | null = null;
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
    const bundle = parsed as Record<string, unknown>;
    if (bundle.format !== BUNDLE_FORMAT || bundle.v !== BUNDLE_VERSION) {
      fail('bundle_malformed', `not a ${BUNDLE_FORMAT} version ${BUNDLE_VERSION}`);
    }
    if (typeof bundle.session !== 'string') fail('bundle_malformed', 'the session id is missing');
    session = bundle.session as string;
    checks = new BundleChecks(bundle.checkpoint, trusted);
    checks.tail({
      format: bundle.format,
      v: bundle.v,
      publicKey: bundle.public_key,
      session: bundle.session,
    });
    if (!Array.isArray(bundle.events) || bundle.events.length === 0)
      fail('bundle_malformed', 'the bundle has no events');
    if (bundle.purges !== undefined) {
      if (!Array.isArray(bundle.purges) || bundle.purges.length === 0)
        fail('bundle_malformed', 'the purge records are malformed');
      for (const record of bundle.purges as unknown[]) checks.purge(record);
    }
    checks.purgesRead();
    for (const e of bundle.events as unknown[]) checks.event(e);
    checks.end();
    return reportOf(checks, null, session);
  } catch (err) {
    if (!(err instanceof BundleFault)) throw err;
    return reportOf(checks, err.fault, session ?? checks?.session ?? null);
  }
}

/** The report on what `checks` found: `fault` null when the bundle verified. */
export function reportOf(
  checks: BundleChecks | null,
  fault: LedgerFault | null,
  session: string | null,
): BundleReport {
  return {
    ok: fault === null,
    fault,
    session,
    events: checks?.events ?? 0,
    purged: checks?.purged ?? 0,
    purgeRecords: checks ? [...checks.purgeRecords] : [],
    complete: checks?.complete ?? false,
    checkpoint: checks?.checkpoint ?? null,
    keyTrusted: checks?.keyTrusted ?? false,
  };
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
    throw new BundleFault(oversizedBundleReport(input.byteLength).fault!);
  }
}
