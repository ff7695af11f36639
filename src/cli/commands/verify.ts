// `vigil verify`: checks the ledger offline (chains, payload hashes, Merkle roots, signatures,
// anchor) and names the first bad event; or, with --bundle, checks an export bundle alone.
// A missing payload is a fault unless a recorded purge names its event.
// Trust comes from keys: `--keys FILE` (what `vigil keys public --json` printed, kept away from the
// data directory) names the keys checkpoints and bundles must be signed by. Without it a bundle is
// checked against the key it carries, and the store against the data directory's own keyring, and
// the report says so: whoever wrote the data directory or made the bundle chose those keys.
// `--checkpoint FILE` is a checkpoint note kept away from the data directory (GET /checkpoint, saved
// by a monitor): the ledger must still hold it, which shows a tail cut together with its checkpoints,
// anchor lines and kept cosigned note (all in the data directory by default).
// Exit 0 intact, 1 a fault found.

import { readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Command } from 'commander';
import { VigilError } from '../../core/errors.js';
import { inertLine } from '../../core/inert-text.js';
import type { SignedCheckpoint } from '../../core/ports.js';
import { HIDDEN_OR_CONTROL } from '../../core/visible-text.js';
import { readAnchorText } from '../../ledger/anchor.js';
import { verifyBundleStream } from '../../ledger/bundle-stream.js';
import type { BundleReport } from '../../ledger/bundle-verify.js';
import { cosignedCheckpointPath, readCosignedCheckpoint } from '../../ledger/cosigned-checkpoint.js';
import type { LedgerFault } from '../../ledger/faults.js';
import { type Keyring, parsePublishedKeys, publicKeyFromRaw } from '../../ledger/keyring.js';
import { parseVerifierKey, SIGNATURE_TYPE } from '../../ledger/signed-note.js';
import { logOrigin } from '../../ledger/tlog-checkpoint.js';
import { type VerifyReport, verifyLedger } from '../../ledger/verify.js';
import { type WitnessReport, witnessReport } from '../../ledger/witness-report.js';
import type { LoadedConfig } from '../../server/load-config.js';
import { eventSourceOpener } from '../../store/event-source-opener.js';
import { loadCliConfig, openExistingStore } from '../context.js';
import type { SetExitCode } from './index.js';
import { ledgerAnchorPath, ledgerKeyring } from './keys.js';
import { isoDate } from './sessions.js';

/** Stores at least this large get a progress bar (when stderr is a terminal). */
const PROGRESS_FROM = 50_000;

export function register(program: Command, setExitCode: SetExitCode): void {
  program
    .command('verify')
    .description('verify the ledger (or an export bundle) and name the first bad event')
    .option('--session <id>', 'check this session in depth (and its place in the signed log)')
    .option('--since <date>', 'check events from this date or ISO time in depth')
    .option('--bundle <file>', 'verify an export bundle, with no database')
    .option(
      '--keys <file>',
      "the public keys to trust (vigil keys public --json, obtained out of band), instead of the data directory's keyring or the bundle's own key",
    )
    .option(
      '--checkpoint <file>',
      'a checkpoint note kept outside the data directory (GET /checkpoint, saved by a monitor): the ledger must hold it',
    )
    .option('--json', 'print the report as JSON')
    .action(
      async (opts: {
        session?: string;
        since?: string;
        bundle?: string;
        keys?: string;
        checkpoint?: string;
        json?: boolean;
      }) => {
        const trusted =
          opts.keys === undefined ? undefined : parsePublishedKeys(readGiven('--keys', opts.keys));
        // Read before the ledger, so a mistyped path is said at once, not after a long verification.
        const kept = opts.checkpoint === undefined ? undefined : readGiven('--checkpoint', opts.checkpoint);
        if (opts.bundle) {
          // A bundle holds one session and its own checkpoint, not the log a kept note is about.
          if (opts.checkpoint !== undefined)
            throw new VigilError('usage', '--checkpoint checks the ledger, not a bundle: drop one of them');
          const report = await verifyBundleFile(opts.bundle, trusted);
          console.log(opts.json ? inertPrettyJson(report) : describeBundle(report));
          if (!report.ok) setExitCode(1);
          return;
        }
        const loaded = loadCliConfig(program.opts());
        const keyring = trusted ?? ledgerKeyring(loaded);
        const store = await openExistingStore(loaded);
        try {
          const progress = process.stderr.isTTY && !opts.json ? progressBar() : undefined;
          const report = await verifyLedger(store.eventSource, await store.ledger.listCheckpoints(), {
            keyring,
            anchorText: readAnchorText(ledgerAnchorPath(loaded)),
            sessionId: opts.session,
            since: opts.since === undefined ? undefined : isoDate(opts.since),
            onProgress: progress?.update,
            // Each worker opens the store again and reads its own ranges of the log: this thread
            // only stitches them. The base directory is the one openStore resolved the store from.
            parallel: {
              reader: eventSourceOpener(
                loaded.config,
                loaded.dataDir,
                loaded.path ? dirname(loaded.path) : process.cwd(),
              ),
            },
          });
          progress?.done();
          const witnesses = witnessesOf(loaded, keyring, await store.ledger.listCheckpoints(), kept);
          const keys = trusted ? 'trusted' : 'data-directory';
          console.log(
            opts.json
              ? inertPrettyJson({ ...report, keys, ...(witnesses ? { witnesses } : {}) })
              : [
                  describeLedger(report, opts.session),
                  describeKeys(keyring, trusted !== undefined),
                  ...describeWitnesses(witnesses),
                ].join('\n'),
          );
          if (!report.ok || sessionAbsent(report) || witnesses?.problem) setExitCode(1);
        } finally {
          await store.close();
        }
      },
    );
}

/**
 * A file named by an option, as text. One that cannot be read (missing, a directory, no permission)
 * is a usage error (exit 2) naming the option: until 6 December it ended in a raw ENOENT stack trace.
 */
function readGiven(option: string, path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (err) {
    throw new VigilError('usage', `cannot read the ${option} file ${path}: ${(err as Error).message}`, {
      cause: err,
    });
  }
}

/**
 * Checks the bundle as it reads it (bundle-stream.ts), in memory bounded by its largest event: until
 * 7 December the whole file was read and parsed at once, and a large enough one (400 MB of small JSON
 * objects) took the verifier past its heap, a crash instead of a report.
 */
async function verifyBundleFile(path: string, trusted: Keyring | undefined): Promise<BundleReport> {
  try {
    return await verifyBundleStream(path, trusted);
  } catch (err) {
    // The file cannot be opened or read (missing, a directory, no permission): a system error.
    if (typeof (err as { code?: unknown }).code !== 'string') throw err;
    throw new VigilError('usage', `cannot read the bundle ${path}: ${(err as Error).message}`, {
      cause: err,
    });
  }
}

const HIDDEN = new RegExp(HIDDEN_OR_CONTROL.source, 'gu');

/**
 * The report as indented JSON whose strings are inert: JSON.stringify leaves C1 controls (a terminal
 * may take U+009B as an escape sequence's start), bidi overrides and zero-width characters raw, and
 * session ids, times and messages come from the ledger or the bundle's maker. Each becomes a JSON
 * `\u` escape, so the text still parses back to the same value; the indentation's line feeds stay.
 */
function inertPrettyJson(value: unknown): string {
  return JSON.stringify(value, null, 2).replace(HIDDEN, (char) => {
    if (char === '\n') return char;
    let out = '';
    for (let i = 0; i < char.length; i++)
      out += `\\u${char.charCodeAt(i).toString(16).toUpperCase().padStart(4, '0')}`;
    return out;
  });
}

function describeKeys(keyring: Keyring, trusted: boolean): string {
  const n = keyring.entries().length;
  return trusted
    ? `  keys: ${n} trusted key(s) from --keys`
    : `  keys: the data directory's keyring (${n} key(s)): whoever can write the data directory can add one; pass --keys FILE (vigil keys public --json, kept elsewhere) to check against keys you hold`;
}

function describeFault(fault: LedgerFault): string {
  const where = [
    fault.index === undefined ? null : `event ${fault.index}`,
    fault.sessionId === undefined
      ? null
      : `session ${fault.sessionId}${fault.seq === undefined ? '' : ` seq ${fault.seq}`}`,
    fault.checkpointSize === undefined ? null : `checkpoint ${fault.checkpointSize}`,
    fault.anchorLine === undefined ? null : `anchor line ${fault.anchorLine}`,
  ].filter((w) => w !== null);
  // Session ids and messages come from the ledger (or an outsider's bundle): shown inertly.
  return inertLine(
    `TAMPERED [${fault.kind}]${where.length ? ` at ${where.join(', ')}` : ''}: ${fault.message}`,
  );
}

/** `--session` named a session the log does not hold: the log verified, but nothing of it was checked. */
const sessionAbsent = (r: VerifyReport) => r.ok && r.sessionEvents === 0;

function describeLedger(r: VerifyReport, session?: string): string {
  const lines = [
    r.fault
      ? describeFault(r.fault)
      : sessionAbsent(r)
        ? `SESSION NOT FOUND: the log holds no event of session ${inertLine(session ?? '')} (deleted whole, or never recorded); nothing of it was checked, the rest of the log is intact`
        : `ledger intact${session ? ` (session ${inertLine(session)} checked in depth)` : ''}`,
  ];
  lines.push(
    `  events: ${r.events} read, every header rehashed, ${r.checkedInDepth} in depth (payloads rehashed); sessions: ${r.sessions}`,
  );
  const latest = r.latestCheckpoint;
  // The latest stored checkpoint is printed even when it is the fault (a bad signature, an unknown
  // key): its time and key id are then whatever was written into the store, shown inertly.
  lines.push(
    `  checkpoints: ${r.checkpoints}${latest ? ` (latest: size ${latest.size} at ${inertLine(latest.time)}, key ${inertLine(latest.keyId)})` : ''}`,
  );
  if (r.notCheckpointed > 0)
    lines.push(`  not yet checkpointed: ${r.notCheckpointed} event(s) after the latest checkpoint`);
  if (r.purged > 0 || r.purgeRecords.length > 0) {
    const records =
      r.purgeRecords.length > 3 ? `${r.purgeRecords.slice(0, 3).join(', ')}, ...` : r.purgeRecords.join(', ');
    lines.push(
      `  purged payloads: ${r.purged} event(s), named by ${r.purgeRecords.length} purge record(s)${records ? ` (event ${records})` : ''}; verified by their payload hash`,
    );
  }
  if (r.incompleteSessions.length > 0) {
    // Session ids are the ledger's (after the latest checkpoint, anyone who can write the store's).
    const sample = r.incompleteSessions.slice(0, 5).map(inertLine).join(', ');
    const more = r.incompleteSessions.length > 5 ? ', ...' : '';
    lines.push(`  incomplete sessions (no session.end): ${r.incompleteSessions.length} (${sample}${more})`);
  }
  lines.push(
    r.anchorLines === null ? '  anchor: not checked' : `  anchor: ${r.anchorLines} line(s) cross-checked`,
  );
  for (const note of r.notes) lines.push(`  note: ${inertLine(note)}`);
  // By design (docs/ledger.md): nothing signed covers what came after the latest checkpoint.
  lines.push(
    '  cannot show: events removed from after the latest checkpoint, or a log cut back to an earlier one with its anchor lines; only a checkpoint kept elsewhere (--checkpoint: a cosigned note saved from GET /checkpoint), or an anchor kept where the writers of the data cannot reach, shows those',
  );
  return lines.join('\n');
}

/**
 * The witness report, when witnesses are configured or a cosigned checkpoint was kept: the note
 * given with --checkpoint (`given`), else the one the gateway keeps in the data directory.
 */
function witnessesOf(
  loaded: LoadedConfig,
  keyring: Keyring,
  checkpoints: readonly SignedCheckpoint[],
  given?: string,
): WitnessReport | null {
  const note = given ?? readCosignedCheckpoint(cosignedCheckpointPath(loaded.dataDir));
  const configured = loaded.config.ledger.witnesses;
  if (note === null && configured.length === 0) return null;
  const origin = logOrigin(loaded.config.ledger.origin, keyring);
  const logKeys = keyring.entries().map((e) => ({
    name: origin,
    type: SIGNATURE_TYPE.ed25519,
    publicKey: publicKeyFromRaw(Buffer.from(e.publicKey, 'base64')),
  }));
  const witnessKeys = configured.flatMap((w) => {
    const key = parseVerifierKey(w.vkey);
    return key ? [key] : [];
  });
  return witnessReport(note, logKeys, witnessKeys, checkpoints);
}

function describeWitnesses(r: WitnessReport | null): string[] {
  if (r === null) return [];
  if (r.problem) return [inertLine(`TAMPERED [witnessed_checkpoint]: ${r.problem}`)];
  if (r.checkpoint === null)
    return [
      '  witnesses: no cosigned checkpoint kept in the data directory (the witnesses were not asked: a deleted file looks the same)',
    ];
  const names = r.witnesses.map(
    (w) => `${w.name} ${w.cosignedAt ? `cosigned at ${w.cosignedAt}` : 'missing'}`,
  );
  // Only a configured witness's cosignature makes the note witnessed: the ledger's own signature on
  // it does not. Until 6 December a note no witness cosigned was headed "witnessed checkpoint" too.
  const cosigned = r.witnesses.filter((w) => w.cosignedAt !== null).length;
  const by =
    r.witnesses.length === 0
      ? 'no witness configured'
      : cosigned === 0
        ? 'none of the configured witnesses cosigned it'
        : `cosigned by ${cosigned} of ${r.witnesses.length} configured witness(es)`;
  return [
    `  ${cosigned === 0 ? 'unwitnessed' : 'witnessed'} checkpoint: size ${r.checkpoint.size}${r.coversLatest ? ' (the latest)' : ' (older than the latest)'}, ${by}`,
    ...names.map((n) => `  witness: ${inertLine(n)}`),
  ];
}

function describeBundle(r: BundleReport): string {
  const head = r.fault ? describeFault(r.fault) : `bundle intact: session ${inertLine(String(r.session))}`;
  const facts = [
    `  events: ${r.events}${r.complete ? ' (complete: ends with session.end)' : ' (no session.end: incomplete or cut)'}`,
  ];
  if (r.purged > 0) facts.push(`  purged payloads: ${r.purged}`);
  // The checkpoint's time is the bundle maker's text (signed by a key of their own, or not at all).
  const time = r.checkpoint && inertLine(r.checkpoint.time);
  if (r.checkpoint)
    facts.push(`  checkpoint: size ${r.checkpoint.size} at ${time}, key ${inertLine(r.checkpoint.keyId)}`);
  if (r.checkpoint && !r.fault) {
    facts.push(
      r.keyTrusted
        ? `  key: ${r.checkpoint.keyId}, one of the trusted keys (--keys)`
        : `  key: ${r.checkpoint.keyId}, the bundle's own key, not checked against a trusted one: anyone can sign a bundle with a key of their own; pass --keys FILE (vigil keys public --json from the operator)`,
    );
  }
  return [head, ...facts].join('\n');
}

function progressBar(): { update: (done: number, total: number) => void; done: () => void } {
  let shown = false;
  let last = 0;
  return {
    update(done, total) {
      if (total < PROGRESS_FROM) return;
      const now = Date.now();
      if (now - last < 100 && done < total) return;
      last = now;
      shown = true;
      const width = 30;
      const filled = Math.round((width * done) / total);
      process.stderr.write(
        `\rverifying [${'#'.repeat(filled)}${' '.repeat(width - filled)}] ${done}/${total}`,
      );
    },
    done() {
      if (shown) process.stderr.write('\n');
    },
  };
}
