// The connection to the real host: ssh2's client logs in with the credential Vigil holds (a private
// key or a password) and checks the host key before anything is sent (HostKeyPins). The user's own
// credential (their Vigil token) never goes further than the gateway.
import { createHash } from 'node:crypto';
import { connect } from 'node:net';
import ssh2, { type BaseAgent, type Client, type ConnectConfig } from 'ssh2';
import { toVigilError, VigilError } from '../../core/errors.js';
import { coalesceWrites } from './coalesced-writes.js';
import type { SshConnectionConfig } from './config.js';
import type { HostKeyCheck, HostKeyPins } from './host-key-pins.js';

const CONNECT_TIMEOUT_MS = 15_000;

export interface Upstream {
  readonly client: Client;
  readonly hostKey: HostKeyCheck;
}

export function connectUpstream(
  config: SshConnectionConfig,
  credential: string,
  pins: HostKeyPins,
  /** Where the host's agent channels go (agent forwarding allowed); never used to log in. */
  agent?: BaseAgent,
): Promise<Upstream> {
  const i = config.upstream.lastIndexOf(':');
  const client = new ssh2.Client();
  let hostKey: HostKeyCheck | null = null;
  let refusal: VigilError | null = null;
  const secret = credential.includes('PRIVATE KEY-----')
    ? { privateKey: credential }
    : { password: credential };
  const host = config.upstream.slice(0, i).replace(/^\[|\]$/g, '');
  const port = Number(config.upstream.slice(i + 1));
  const options: ConnectConfig = {
    host,
    port,
    // Vigil's own socket, so that its writes are coalesced like the user's side (coalesced-writes.ts).
    sock: coalesceWrites(connect({ host, port })),
    username: config.user,
    ...secret,
    readyTimeout: CONNECT_TIMEOUT_MS,
    keepaliveInterval: config.keepalive,
    keepaliveCountMax: 3,
    // Password logins to OpenSSH are often keyboard-interactive only (PAM): answer with the same secret.
    tryKeyboard: secret.password !== undefined,
    // Vigil logs in with its own credential only: never with the agent a user forwards.
    authHandler:
      secret.password !== undefined ? ['none', 'password', 'keyboard-interactive'] : ['none', 'publickey'],
    ...(agent ? { agent } : {}),
    // Asynchronous (the pins are in the store): ssh2 waits for the verdict before it goes on.
    hostVerifier: (key: Buffer, verify: (valid: boolean) => void) => {
      const fingerprint = `SHA256:${createHash('sha256').update(key).digest('base64').replace(/=+$/, '')}`;
      pins.check(config.name, config.upstream, fingerprint, config.host_key).then(
        (checked) => {
          hostKey = checked;
          verify(true);
        },
        (err: unknown) => {
          refusal = toVigilError(err);
          verify(false);
        },
      );
    },
  };
  return new Promise((resolve, reject) => {
    const fail = (err: Error) => {
      client.removeListener('ready', ready);
      client.end();
      reject(
        refusal ??
          new VigilError('upstream_unreachable', `cannot log in to ${config.upstream}: ${err.message}`, {
            cause: err,
          }),
      );
    };
    const ready = () => {
      client.removeListener('error', fail);
      // Later errors (a dropped link) end the session through the channels' close events.
      client.on('error', () => undefined);
      resolve({ client, hostKey: hostKey! });
    };
    client.once('ready', ready);
    client.once('error', fail);
    client.on('keyboard-interactive', (_name, _instructions, _lang, prompts, finish) => {
      finish(prompts.map(() => secret.password ?? ''));
    });
    client.connect(options);
  });
}
