// `vigil scim token | tokens | revoke-token`: the bearer tokens an identity provider's SCIM connector
// uses. An admin asks the gateway (the admin API issues, lists and revokes them, and records each
// call); a token is printed once and only its hash is stored.
import type { Command } from 'commander';
import { ApiClient, type ApiOptions, addApiOptions } from '../api-client.js';
import { table } from '../format.js';
import type { SetExitCode } from './index.js';

interface ShownScimToken {
  readonly id: string;
  readonly name: string;
  readonly created_at: string;
  readonly expires_at: string;
  readonly revoked_at: string | null;
  readonly state: string;
}

export function register(program: Command, setExitCode: SetExitCode): void {
  const scim = program
    .command('scim')
    .description('SCIM provisioning from an identity provider (Okta, Entra ID)');
  addApiOptions(
    scim
      .command('token')
      .description('issue a SCIM bearer token for a provisioning connector (printed once)')
      .requiredOption(
        '--name <name>',
        'the connector, such as okta or entra (its changes are recorded as scim:<name>)',
      )
      .option('--ttl <duration>', 'lifetime, such as 30d (default 90d, at most 365d)')
      .option('--json', 'print JSON'),
  ).action(async (opts: ApiOptions & { name: string; ttl?: string; json?: boolean }) => {
    const issued = await ApiClient.from(program, opts).call<{
      token: string;
      id: string;
      name: string;
      created_at: string;
      expires_at: string;
    }>('POST', '/api/scim/tokens', { name: opts.name, ...(opts.ttl === undefined ? {} : { ttl: opts.ttl }) });
    if (opts.json) return console.log(JSON.stringify(issued));
    console.log(
      `token:   ${issued.token}\nid:      ${issued.id}\nname:    ${issued.name}\nexpires: ${issued.expires_at}\n\nSCIM base URL: <gateway>/scim/v2, header Authorization: Bearer <token>.\nThis is the only time the token is shown.`,
    );
  });
  addApiOptions(
    scim
      .command('tokens')
      .description('list SCIM tokens (never their secrets): active, expired or revoked')
      .option('--json', 'print JSON'),
  ).action(async (opts: ApiOptions & { json?: boolean }) => {
    const { tokens } = await ApiClient.from(program, opts).call<{ tokens: ShownScimToken[] }>(
      'GET',
      '/api/scim/tokens',
    );
    if (opts.json) return console.log(JSON.stringify(tokens, null, 2));
    console.log(
      tokens.length === 0
        ? 'no SCIM tokens'
        : table([
            ['ID', 'NAME', 'CREATED', 'EXPIRES', 'STATE'],
            ...tokens.map((t) => [
              t.id,
              t.name,
              t.created_at,
              t.expires_at,
              t.revoked_at ? `revoked ${t.revoked_at}` : t.state,
            ]),
          ]),
    );
  });
  addApiOptions(
    scim
      .command('revoke-token')
      .description('revoke a SCIM token by id: its next use is refused on every gateway')
      .argument('<id>'),
  ).action(async (id: string, opts: ApiOptions) => {
    const answer = await ApiClient.from(program, opts).call<{ id: string; revoked: boolean }>(
      'DELETE',
      `/api/scim/tokens/${encodeURIComponent(id)}`,
    );
    console.log(answer.revoked ? `revoked ${answer.id}` : `${answer.id} was already revoked`);
    if (!answer.revoked) setExitCode(1);
  });
}
