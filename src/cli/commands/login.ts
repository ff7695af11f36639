// `vigil login`: sign in with the gateway's OpenID provider and keep the Vigil token in the user's
// config directory (0600); `vigil logout` forgets it.
import type { Command } from 'commander';
import { VigilError } from '../../core/errors.js';
import { loginToGateway, type SignInPrompt } from '../../identity/oidc-login.js';
import { deleteToken, readToken, saveToken, tokenFilePath } from '../../identity/oidc-token-file.js';
import { gatewayOffersOnlySaml, loginWithSaml } from '../../identity/saml/saml-login.js';
import type { SetExitCode } from './index.js';

export function register(program: Command, setExitCode: SetExitCode): void {
  program
    .command('login')
    .description('sign in with the OpenID or SAML provider and store a Vigil token for this user')
    .option('--gateway <url>', 'the gateway URL (default: $VIGIL_GATEWAY or the last one signed in to)')
    .option('--no-device', 'use a browser redirect to this machine instead of the device code flow')
    .option(
      '--saml',
      "sign in with the gateway's SAML identity provider (chosen by itself when it has no OIDC)",
    )
    .option('--json', 'print JSON (the token is stored, not printed)')
    .action(async (opts: { gateway?: string; device: boolean; saml?: boolean; json?: boolean }) => {
      const gateway = opts.gateway ?? process.env.VIGIL_GATEWAY ?? readToken()?.gateway;
      if (!gateway) throw new VigilError('usage', 'which gateway? pass --gateway URL (or set VIGIL_GATEWAY)');
      const onPrompt = (prompt: SignInPrompt) => console.error(promptText(prompt));
      const result =
        opts.saml || (await gatewayOffersOnlySaml(gateway))
          ? await loginWithSaml({ gatewayUrl: gateway, onPrompt })
          : await loginToGateway({ gatewayUrl: gateway, preferDevice: opts.device, onPrompt });
      const file = saveToken({
        gateway: result.gateway,
        token: result.token,
        token_id: result.tokenId,
        subject: result.subject,
        expires_at: result.expiresAt,
      });
      if (opts.json) {
        const { token: _token, ...shown } = result;
        console.log(JSON.stringify({ ...shown, token_file: file }));
        return;
      }
      console.log(
        `signed in to ${result.gateway} as ${result.subject}\ngroups:  ${result.groups.join(', ') || '(none)'}\nroles:   ${result.roles.join(', ')}\nexpires: ${result.expiresAt}\ntoken:   ${file}`,
      );
    });
  program
    .command('logout')
    .description('forget the stored Vigil token (it stays valid until it expires unless revoked)')
    .action(() => {
      const stored = readToken();
      if (!deleteToken()) {
        console.log(`not signed in (no token at ${tokenFilePath()})`);
        setExitCode(1);
        return;
      }
      console.log(
        `signed out of ${stored?.gateway ?? 'the gateway'}` +
          (stored?.token_id
            ? `\nto end the token now, an admin can run: vigil token revoke ${stored.token_id}`
            : ''),
      );
    });
}

function promptText(prompt: SignInPrompt): string {
  if (prompt.kind === 'browser')
    return `Open this URL in a browser on this machine to sign in:\n\n  ${prompt.url}\n`;
  return prompt.verificationUriComplete
    ? `To sign in, open:\n\n  ${prompt.verificationUriComplete}\n\nand check that it shows the code ${prompt.userCode}.\n`
    : `To sign in, open ${prompt.verificationUri} and enter the code ${prompt.userCode}.\n`;
}
