// `vigil users`: offboarding. Disabling an identity refuses all its tokens and cuts its live
// sessions on every gateway sharing this store (they poll it), each cut recorded as access.revoked,
// and revokes its live grants, so enabling it again does not bring them back (users-grants.ts).
import { randomBytes } from 'node:crypto';
import type { Command } from 'commander';
import { createMaskerFromConfig } from '../../mask/index.js';
import type { LoadedConfig } from '../../server/load-config.js';
import { loadCliConfig, openStore } from '../context.js';
import { table } from '../format.js';
import { gatewayMasker } from '../gateway-masker.js';
import type { SetExitCode } from './index.js';
import { revokeDisabledGrants } from './users-grants.js';

export function register(program: Command, setExitCode: SetExitCode): void {
  const users = program.command('users').description('offboarding: disable and enable identities');
  users
    .command('disable')
    .description('disable an identity: its tokens stop working and its live sessions are cut')
    .argument('<subject>', 'the identity (an e-mail for signed-in users, a name for service accounts)')
    .option('--reason <text>', 'why', 'offboarded')
    .action(async (subject: string, opts: { reason: string }) => {
      const loaded = loadCliConfig(program.opts());
      // Stored, listed and quoted when sessions are cut: masked first, like every reason people type.
      const reason = maskedReason(loaded, opts.reason);
      const store = await openStore(loaded);
      try {
        await store.access.disableIdentity(subject, new Date().toISOString(), reason);
        const grants = await revokeDisabledGrants(store, subject, reason);
        console.log(grants > 0 ? `disabled ${subject}; revoked ${grants} grant(s)` : `disabled ${subject}`);
      } finally {
        await store.close();
      }
    });
  users
    .command('enable')
    .description('enable a disabled identity again')
    .argument('<subject>')
    .action(async (subject: string) => {
      const store = await openStore(loadCliConfig(program.opts()));
      try {
        const enabled = await store.access.enableIdentity(subject);
        console.log(enabled ? `enabled ${subject}` : `${subject} was not disabled`);
        if (!enabled) setExitCode(1);
      } finally {
        await store.close();
      }
    });
  users
    .command('list')
    .description('list disabled identities')
    .option('--json', 'print JSON')
    .action(async (opts: { json?: boolean }) => {
      const store = await openStore(loadCliConfig(program.opts()));
      try {
        const disabled = await store.access.disabledIdentities();
        if (opts.json) return console.log(JSON.stringify(disabled, null, 2));
        console.log(
          disabled.length === 0
            ? 'no disabled identities'
            : table([
                ['SUBJECT', 'DISABLED AT', 'REASON'],
                ...disabled.map((d) => [d.subject, d.disabledAt, d.reason]),
              ]),
        );
      } finally {
        await store.close();
      }
    });
}

/**
 * The reason as the gateway would mask it. Offboarding must not fail because this process cannot
 * read the configured fingerprint key: the rules then mask it all the same, with fingerprints that
 * do not correlate with the ledger's.
 */
function maskedReason(loaded: LoadedConfig, reason: string): string {
  try {
    return gatewayMasker(loaded).maskText(reason);
  } catch {
    return createMaskerFromConfig({ config: loaded.config, fingerprintKey: randomBytes(32) }).maskText(
      reason,
    );
  }
}
