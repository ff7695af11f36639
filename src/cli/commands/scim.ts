// `vigil scim token`: issues the bearer token an identity provider's SCIM connector uses. An admin
// asks the gateway (the admin API issues it and records the call); the token is printed once and
// only its hash is stored.
import type { Command } from 'commander';
import { ApiClient, type ApiOptions, addApiOptions } from '../api-client.js';
import type { SetExitCode } from './index.js';

export function register(program: Command, _setExitCode: SetExitCode): void {
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
      .option('--json', 'print JSON'),
  ).action(async (opts: ApiOptions & { name: string; json?: boolean }) => {
    const issued = await ApiClient.from(program, opts).call<{
      token: string;
      id: string;
      name: string;
      created_at: string;
    }>('POST', '/api/scim/tokens', { name: opts.name });
    if (opts.json) return console.log(JSON.stringify(issued));
    console.log(
      `token: ${issued.token}\nid:    ${issued.id}\nname:  ${issued.name}\n\nSCIM base URL: <gateway>/scim/v2, header Authorization: Bearer <token>.\nThis is the only time the token is shown.`,
    );
  });
}
