// `vigil keys rotate` and `vigil keys public`: the Ed25519 keys that sign ledger checkpoints;
// `vigil keys ssh-host`: the fingerprint of the gateway's SSH host key (for users' known_hosts).
// Also the one place the CLI resolves the ledger's signing key and anchor (verify/export use it).
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Command } from 'commander';
import { VigilError } from '../../core/errors.js';
import { anchorPath } from '../../ledger/anchor.js';
import {
  type Keyring,
  type LedgerKeys,
  loadKeyring,
  loadLedgerKeys,
  rotateLedgerKey,
} from '../../ledger/keyring.js';
import { checkpointVerifierKey, logOrigin } from '../../ledger/tlog-checkpoint.js';
import { type LoadedConfig, resolveSecret } from '../../server/load-config.js';
import { loadCliConfig } from '../context.js';
import { table } from '../format.js';
import type { SetExitCode } from './index.js';

/** Environment variable that may hold the signing key when the configuration names none. */
export const SIGNING_KEY_ENV = 'VIGIL_LEDGER_SIGNING_KEY';

/** The configured signing key (`ledger.signing_key`, else $VIGIL_LEDGER_SIGNING_KEY), resolved; undefined for the key file. */
export function suppliedSigningKey(loaded: LoadedConfig): string | undefined {
  const ref = loaded.config.ledger.signing_key;
  if (ref) return resolveSecret(ref, loaded.path ? dirname(loaded.path) : process.cwd());
  const fromEnv = process.env[SIGNING_KEY_ENV];
  return fromEnv === undefined || fromEnv === '' ? undefined : fromEnv;
}

export function ledgerKeys(loaded: LoadedConfig): LedgerKeys {
  return loadLedgerKeys(loaded.dataDir, suppliedSigningKey(loaded));
}

/** Public keys only (verification never needs the private key, nor creates one). */
export function ledgerKeyring(loaded: LoadedConfig): Keyring {
  return loadKeyring(loaded.dataDir);
}

export function ledgerAnchorPath(loaded: LoadedConfig): string {
  return anchorPath(loaded.dataDir, loaded.config.ledger.anchor_file);
}

/** Where the SSH module keeps the public half of the gateway's host key, under the data directory. */
const SSH_HOST_PUBLIC_KEY = 'ssh/host_ed25519.pub';

export function register(program: Command, _setExitCode: SetExitCode): void {
  const keys = program
    .command('keys')
    .description('the keys that sign ledger checkpoints, and the SSH host key');
  keys
    .command('ssh-host')
    .description(
      "print the fingerprint of the gateway's SSH host key (created when an SSH connection is first served)",
    )
    .option('--json', 'print JSON')
    .action((opts: { json?: boolean }) => {
      const loaded = loadCliConfig(program.opts());
      const path = join(loaded.dataDir, SSH_HOST_PUBLIC_KEY);
      if (!existsSync(path)) {
        throw new VigilError(
          'usage',
          `no SSH host key in ${loaded.dataDir}: the gateway creates it when it first serves an SSH connection`,
        );
      }
      const line = readFileSync(path, 'utf8').trim();
      const [type, blob] = line.split(/\s+/);
      const fingerprint = `SHA256:${createHash('sha256')
        .update(Buffer.from(blob ?? '', 'base64'))
        .digest('base64')
        .replace(/=+$/, '')}`;
      if (opts.json)
        console.log(JSON.stringify({ type, fingerprint, public_key: `${type} ${blob}` }, null, 2));
      else console.log(`${fingerprint} (${type})\n${type} ${blob}`);
    });
  keys
    .command('rotate')
    .description('make a new active signing key; older public keys stay so old checkpoints still verify')
    .action(() => {
      const loaded = loadCliConfig(program.opts());
      if (suppliedSigningKey(loaded) !== undefined) {
        throw new VigilError(
          'usage',
          `the signing key comes from ledger.signing_key or ${SIGNING_KEY_ENV}: rotate it there, then restart the gateway`,
        );
      }
      const { signer } = rotateLedgerKey(loaded.dataDir);
      console.log(`new signing key ${signer.keyId}; restart the gateway to sign with it`);
    });
  keys
    .command('public')
    .description('print the public keys that verify checkpoints')
    .option('--json', 'print JSON')
    .option('--vkey', "print the active key as a C2SP verifier key (vkey) for the log's checkpoint notes")
    .action((opts: { json?: boolean; vkey?: boolean }) => {
      const loaded = loadCliConfig(program.opts());
      const keys = ledgerKeys(loaded);
      if (opts.vkey) {
        const origin = logOrigin(loaded.config.ledger.origin, keys.keyring, keys.signer.keyId);
        console.log(checkpointVerifierKey(keys.signer, origin));
        return;
      }
      const entries = keys.keyring.entries();
      if (opts.json) {
        console.log(
          JSON.stringify(
            entries.map((e) => ({ key_id: e.keyId, public_key: e.publicKey, created: e.created })),
            null,
            2,
          ),
        );
        return;
      }
      console.log(
        table([
          ['KEY ID', 'PUBLIC KEY (Ed25519, base64)', 'CREATED'],
          ...entries.map((e) => [e.keyId, e.publicKey, e.created]),
        ]),
      );
    });
}
