// A real `vigil witness serve` process for the witness tests, and the gateway side they share: a
// gateway signing under a fixed key and origin that asks that witness, and its config file for the CLI.
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after } from 'node:test';
import { ANONYMOUS } from '../../src/core/events.js';
import { type LedgerSigningKey, parseSigningKey } from '../../src/ledger/keyring.js';
import { checkpointVerifierKey } from '../../src/ledger/tlog-checkpoint.js';
import type { TestGateway } from '../support/gateway.js';

export interface WitnessProcess {
  readonly url: string;
  readonly vkey: string;
  readonly child: ChildProcess;
}

/** Starts `vigil witness serve` named `name`, following the log `origin` signed by `logKey`. */
export async function startWitness(
  dir: string,
  name: string,
  origin: string,
  logKey: LedgerSigningKey,
): Promise<WitnessProcess> {
  const child = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      'src/cli/run.ts',
      'witness',
      'serve',
      '--dir',
      dir,
      '--name',
      name,
      '--listen',
      '127.0.0.1:0',
      '--log',
      checkpointVerifierKey(logKey, origin),
    ],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  let out = '';
  return new Promise((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`witness exited with ${code}: ${out}`)));
    child.stdout!.on('data', (c: Buffer) => {
      out += c.toString();
      const url = /listening on (http:\/\/\S+)/.exec(out)?.[1];
      const vkey = /vkey: (\S+)/.exec(out)?.[1];
      if (url && vkey) resolve({ url, vkey, child });
    });
  });
}

/** Appends `n` admin events to the gateway's ledger, in a session named after `tag`. */
export async function record(gateway: TestGateway, n: number, tag: string): Promise<void> {
  for (let i = 0; i < n; i++) {
    await gateway.recorder.append(
      {
        type: 'admin.action',
        sessionId: `ses_${tag}`,
        connection: 'admin',
        identity: ANONYMOUS,
        time: new Date().toISOString(),
        payload: { tag, i },
      },
      'admin',
    );
  }
}

/** The ledger section of a gateway that signs with the key in `keyEnv` and asks `witness`. */
export function ledgerSettings(origin: string, keyEnv: string, witness: { url: string; vkey: string }) {
  return {
    ledger: {
      origin,
      signing_key: `env:${keyEnv}`,
      checkpoint_interval: 60_000,
      witnesses: [{ url: witness.url, vkey: witness.vkey }],
    },
  };
}

/** A vigil.yaml for the CLI on `dataDir` with those ledger settings. */
export function configFile(dataDir: string, settings: Record<string, unknown>): string {
  const file = join(dataDir, 'vigil.yaml');
  writeFileSync(file, JSON.stringify({ data: dataDir, log_level: 'silent', ...settings }));
  return file;
}

/** The SQLite store's file in a data directory, opened by a test as an attacker with the file would. */
export const SQLITE_FILE = 'vigil.db';

/**
 * A fresh log key (put in `keyEnv` for the gateway to read) and a witness `name` following `origin`
 * under it, stopped when the test file ends; the ledger settings of a gateway that asks it.
 */
export async function witnessedLedger(origin: string, name: string, keyEnv: string) {
  const seed = randomBytes(32).toString('hex');
  process.env[keyEnv] = seed;
  const witness = await startWitness(
    mkdtempSync(join(tmpdir(), 'vigil-witness-')),
    name,
    origin,
    parseSigningKey(seed),
  );
  after(() => {
    witness.child.kill('SIGTERM');
  });
  return ledgerSettings(origin, keyEnv, witness);
}
