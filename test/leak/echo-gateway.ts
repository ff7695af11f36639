// The gateway of the known-secret echo tests: one HTTP API connection that injects a credential as
// X-Api-Key into an echo upstream (support/echo-upstream.ts) and masks one configured secret, both
// read from the environment as an operator would give them; and the request those tests repeat.
import { startTestGateway, type TestGateway, TOKENS } from '../support/gateway.js';

export interface EchoGatewaySettings {
  /** The connection's name: requests go to `/c/<connection>/v1/echo`. */
  readonly connection: string;
  readonly upstreamUrl: string;
  /** Names the environment variables: `<envPrefix>_CREDENTIAL` and `<envPrefix>_CONFIGURED`. */
  readonly envPrefix: string;
  readonly credential: string;
  readonly configured: string;
}

export async function startEchoGateway(settings: EchoGatewaySettings): Promise<TestGateway> {
  const credentialVar = `${settings.envPrefix}_CREDENTIAL`;
  const configuredVar = `${settings.envPrefix}_CONFIGURED`;
  process.env[credentialVar] = settings.credential;
  process.env[configuredVar] = settings.configured;
  return startTestGateway({
    masking: { secrets: [`env:${configuredVar}`] },
    connections: [
      {
        name: settings.connection,
        type: 'http',
        upstream: settings.upstreamUrl,
        credential: `env:${credentialVar}`,
        auth: { scheme: 'header', header: 'X-Api-Key' },
        allow: ['*'],
      },
    ],
  });
}

/** alice asks `connection` to echo with encoder `how`, whole or (`pieces`) three bytes at a time. */
export function askEcho(
  gateway: TestGateway,
  connection: string,
  how: string,
  pieces: boolean,
): Promise<Response> {
  return fetch(`${gateway.url}/c/${connection}/v1/echo`, {
    headers: {
      authorization: `Bearer ${TOKENS.alice}`,
      'x-echo': how,
      ...(pieces ? { 'x-pieces': '1' } : {}),
    },
  });
}
