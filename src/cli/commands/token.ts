// `vigil token`: service-account tokens (create shows the token once; only its hash is stored),
// and helpers for the static tokens of vigil.yaml.
import { randomBytes } from 'node:crypto';
import type { Command } from 'commander';
import { parseDuration } from '../../core/duration.js';
import { VigilError } from '../../core/errors.js';
import { hashToken } from '../../identity/config-tokens.js';
import { createServiceToken } from '../../identity/service-accounts.js';
import { loadCliConfig, openStore } from '../context.js';
import { table } from '../format.js';
import type { SetExitCode } from './index.js';

export function register(program: Command, setExitCode: SetExitCode): void {
  const token = program.command('token').description('service-account tokens and static token helpers');
  token
    .command('create')
    .description('create a service-account token (printed once; only its hash is stored)')
    .requiredOption('--service-account <name>', 'the service account the token acts as')
    .option('--connections <list>', 'comma-separated connections the token may use', '')
    .option('--ttl <duration>', 'lifetime, such as 1h or 24h', '24h')
    .option('--json', 'print JSON')
    .action(async (opts: { serviceAccount: string; connections: string; ttl: string; json?: boolean }) => {
      const loaded = loadCliConfig(program.opts());
      const connections = opts.connections
        .split(',')
        .map((c) => c.trim())
        .filter(Boolean);
      const known = new Set(loaded.config.connections.map((c) => c.name));
      const unknown = connections.filter((c) => !known.has(c));
      if (unknown.length) throw new VigilError('usage', `unknown connection(s): ${unknown.join(', ')}`);
      const ttlMs = parseDuration(opts.ttl);
      if (ttlMs === null || ttlMs <= 0) throw new VigilError('usage', `not a duration: ${opts.ttl}`);
      const store = await openStore(loaded);
      try {
        const { token: secret, record } = await createServiceToken(store.access, {
          name: opts.serviceAccount,
          connections,
          ttlMs,
        });
        if (opts.json) {
          console.log(
            JSON.stringify({
              token: secret,
              id: record.id,
              name: record.name,
              connections,
              expires_at: record.expiresAt,
            }),
          );
        } else {
          console.log(
            `token:       ${secret}\nid:          ${record.id}\nconnections: ${connections.join(', ') || '(none)'}\nexpires:     ${record.expiresAt}\n\nThis is the only time the token is shown.`,
          );
        }
      } finally {
        await store.close();
      }
    });
  token
    .command('list')
    .description('list service-account tokens')
    .option('--json', 'print JSON')
    .action(async (opts: { json?: boolean }) => {
      const store = await openStore(loadCliConfig(program.opts()));
      try {
        const tokens = (await store.access.listServiceTokens()).map(({ tokenHash: _hash, ...rest }) => rest);
        if (opts.json) return console.log(JSON.stringify(tokens, null, 2));
        const now = Date.now();
        const state = (t: (typeof tokens)[number]) =>
          t.revokedAt ? 'revoked' : Date.parse(t.expiresAt) <= now ? 'expired' : 'active';
        console.log(
          tokens.length === 0
            ? 'no service-account tokens'
            : table([
                ['ID', 'SERVICE ACCOUNT', 'CONNECTIONS', 'EXPIRES', 'STATE'],
                ...tokens.map((t) => [t.id, t.name, t.connections.join(','), t.expiresAt, state(t)]),
              ]),
        );
      } finally {
        await store.close();
      }
    });
  token
    .command('revoke')
    .description(
      'revoke a service-account token or a signed-in Vigil token by id; live sessions using it are cut',
    )
    .argument('<id>')
    .action(async (id: string) => {
      const store = await openStore(loadCliConfig(program.opts()));
      try {
        const revoked = await store.access.revokeToken(id, new Date().toISOString());
        console.log(revoked ? `revoked ${id}` : `${id} was already revoked`);
        if (!revoked) setExitCode(1);
      } finally {
        await store.close();
      }
    });
  token
    .command('hash')
    .description('print the token_sha256 of a static token for vigil.yaml (argument or standard input)')
    .argument('[token]')
    .action(async (value?: string) => {
      console.log(hashToken(value ?? (await readStdin()).trim()));
    });
  token
    .command('new')
    .description('generate a random static token and print it with its token_sha256')
    .action(() => {
      const fresh = `vgl_${randomBytes(24).toString('base64url')}`;
      console.log(`token:        ${fresh}\ntoken_sha256: ${hashToken(fresh)}`);
    });
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin as AsyncIterable<Buffer>) chunks.push(chunk);
  return Buffer.concat(chunks).toString('utf8');
}
