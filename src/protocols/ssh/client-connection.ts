// One user's SSH connection to Vigil: authentication with a Vigil token (as the password or
// through keyboard-interactive) or a public key registered to the user's identity, admission, the login to the host with Vigil's credential, and the
// channels the user opens. The session ends once, whoever ends it: the user, the host, or a cut
// (offboarding, an expired grant, shutdown).
import { createHash } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import ssh2, {
  type AuthContext,
  type AuthenticationType,
  type ClientInfo,
  type Connection,
  type PublicKeyAuthContext,
} from 'ssh2';
import { toVigilError } from '../../core/errors.js';
import type { EventType, JsonObject, SessionEndReason } from '../../core/events.js';
import type { Credential } from '../../identity/authenticator.js';
import type { ModuleContext, ModuleSession } from '../../pipeline/module-context.js';
import { UserAgent } from './agent-forwarding.js';
import type { SshConnectionConfig } from './config.js';
import type { ConnectionState } from './connection-state.js';
import {
  agentTowardsUser,
  cancelRemoteForward,
  relayForward,
  relayRemoteForward,
  serveX11,
  tcpPayload,
} from './forwarding.js';
import type { HostKeyPins } from './host-key-pins.js';
import { refuseForwarding, serveSessionChannel } from './session-channel.js';
import { connectUpstream, type Upstream } from './upstream-connect.js';

/** Wrong tokens allowed before Vigil hangs up. */
const MAX_AUTH_FAILURES = 3;
const TOKEN_PROMPT = 'Vigil token: ';
const METHODS: AuthenticationType[] = ['publickey', 'keyboard-interactive', 'password'];

export interface ClientDeps {
  readonly config: SshConnectionConfig;
  readonly ctx: ModuleContext;
  readonly pins: HostKeyPins;
}

export function serveClient(client: Connection, info: ClientInfo, deps: ClientDeps): void {
  const { config, ctx } = deps;
  let failures = 0;
  let admitted: ModuleSession | null = null;
  // One admission at a time. A request that comes while a keyboard-interactive answer is being
  // admitted makes ssh2 abandon that answer (RFC 4252) and ask again: both were admitted, each
  // started a session on the one connection, and every channel the user opened was served twice.
  let admitting = false;
  client.on('error', (err: Error) => {
    ctx.logger.warn(
      { connection: config.name, client: info.ip, err: err.message },
      'ssh client connection failed',
    );
  });

  client.on('authentication', (auth: AuthContext) => {
    if (admitted || admitting) return auth.reject();
    if (auth.method === 'publickey') return void publicKey(auth);
    if (auth.method === 'password') return void admit(auth.password, auth);
    if (auth.method === 'keyboard-interactive') {
      let abandoned = false;
      auth.once('abort', () => {
        abandoned = true;
      });
      return auth.prompt(
        [{ prompt: TOKEN_PROMPT, echo: false }],
        'Vigil',
        'Sign in with your Vigil token',
        (answers) => {
          // ssh2 answers an abandoned prompt with an Error in place of the answers.
          if (!abandoned && Array.isArray(answers)) void admit(answers[0] ?? '', auth, {}, () => abandoned);
        },
      );
    }
    auth.reject(METHODS);
  });

  const facts = (auth: AuthContext, extra: JsonObject = {}): JsonObject => ({
    client: info.ip,
    login: auth.username,
    client_version: info.header.versions.software,
    ...extra,
  });

  // A client first asks whether a key would do (no signature), then signs with it. Only a
  // registered key is answered "sign with it"; any other is refused there and recorded, since the
  // client never signs with a key the server declined. Only a verified signature admits.
  const publicKey = async (auth: PublicKeyAuthContext) => {
    const key = auth.key.data;
    const keyFacts = { public_key: keyFingerprint(key), public_key_type: auth.key.algo };
    if (!ctx.knowsPublicKey(key)) {
      // Admission of an unknown key fails (auth_invalid) and is recorded as access.denied; the
      // unexpected success of a key registered meanwhile is ended, since it was never proven.
      const credential: Credential = { kind: 'public-key', key };
      await ctx.admit({ connection: config, protocol: 'ssh', credential, facts: facts(auth, keyFacts) }).then(
        (unproven) => unproven.end('closed'),
        () => undefined,
      );
      return auth.reject(METHODS);
    }
    if (auth.signature === undefined || auth.blob === undefined) return auth.accept();
    const parsed = ssh2.utils.parseKey(key);
    if (parsed instanceof Error || parsed.verify(auth.blob, auth.signature, auth.hashAlgo) !== true) {
      failures++;
      auth.reject(failures >= MAX_AUTH_FAILURES ? [] : METHODS);
      if (failures >= MAX_AUTH_FAILURES) client.end();
      return;
    }
    await admit({ kind: 'public-key', key }, auth, keyFacts);
  };

  const admit = async (
    credential: Credential,
    auth: AuthContext,
    extra: JsonObject = {},
    abandoned: () => boolean = () => false,
  ) => {
    admitting = true;
    let session: ModuleSession;
    try {
      session = await ctx.admit({
        connection: config,
        protocol: 'ssh',
        credential: credential === '' ? null : credential,
        facts: facts(auth, extra),
      });
    } catch {
      admitting = false;
      failures++;
      auth.reject(failures >= MAX_AUTH_FAILURES ? [] : METHODS);
      if (failures >= MAX_AUTH_FAILURES) client.end();
      return;
    }
    admitting = false;
    // The client moved on while it was admitted: ssh2 would ignore the accept, and a session
    // started here would serve a connection that never signed in.
    if (abandoned()) {
      void session.end('closed');
      return;
    }
    admitted = session;
    auth.accept();
    startSession(client, session, deps);
  };
}

/** The key's fingerprint as OpenSSH prints it (`ssh-keygen -l`): SHA256:base64, unpadded. */
function keyFingerprint(key: Buffer): string {
  return `SHA256:${createHash('sha256').update(key).digest('base64').replace(/=+$/, '')}`;
}

function startSession(client: Connection, session: ModuleSession, deps: ClientDeps): void {
  const { config, ctx } = deps;
  const closers = new Set<(message: string | null) => void>();
  const aborter = new AbortController();
  let channels = 0;
  let ended = false;

  const record = (type: EventType, payload: JsonObject) => {
    session.touch();
    session.observe(type, payload, { deferred: true }).catch((err: unknown) => {
      ctx.logger.warn(
        { session: session.id, type, err: toVigilError(err).message },
        'ssh event not recorded',
      );
    });
  };

  // The host's agent channels reach the user only where the connection allows agent forwarding.
  const agent = config.allow_agent_forwarding
    ? new UserAgent((done) => agentTowardsUser(state, client, done))
    : undefined;
  const upstream: Promise<Upstream> = (async () => {
    const credential = ctx.credential(config.name) ?? '';
    try {
      const up = await connectUpstream(config, credential, deps.pins, agent);
      record('ssh.host_key', { upstream: config.upstream, ...up.hostKey });
      up.client.on('close', () => end('closed', 'vigil: the host closed the connection'));
      return up;
    } catch (err) {
      const error = toVigilError(err, 'upstream_unreachable');
      await session.refuse(error, {
        upstream: config.upstream,
        ...(error.details as JsonObject | undefined),
      });
      ctx.logger.warn({ session: session.id, code: error.code, err: error.message }, 'ssh upstream refused');
      setTimeout(() => end('closed', null), 200).unref();
      throw error;
    }
  })();
  upstream.catch(() => undefined);

  const end = (reason: SessionEndReason, message: string | null, facts?: JsonObject) => {
    if (ended) return;
    ended = true;
    aborter.abort();
    unregisterCut();
    for (const close of closers) close(message);
    closers.clear();
    // Give the channels' last words (exit status, the notice) a moment to leave, then hang up.
    setTimeout(() => client.end(), 50).unref();
    upstream.then(
      (up) => up.client.end(),
      () => undefined,
    );
    void session.end(reason, facts);
  };
  const unregisterCut = session.onCut((reason) => end(reason, `vigil: session ended by Vigil (${reason})`));
  client.on('close', () => end('client-closed', null));

  const state: ConnectionState = {
    session,
    config,
    logger: ctx.logger,
    upstream,
    signal: aborter.signal,
    startedAt: performance.now(),
    nextChannel: () => channels++,
    record,
    onEnd: (close) => {
      if (ended) close(null);
      else closers.add(close);
    },
  };

  if (config.allow_x11_forwarding) {
    upstream.then(
      (up) => serveX11(state, client, up.client),
      () => undefined,
    );
  }
  client.on('session', (accept) => serveSessionChannel(state, accept));
  client.on('tcpip', (accept, reject, info) => {
    const payload = tcpPayload('direct-tcpip', info);
    if (!config.allow_port_forwarding) {
      refuseForwarding(state, payload);
      return reject();
    }
    relayForward(state, payload, accept, reject);
  });
  client.on('openssh.streamlocal', (_accept, reject, info) => {
    refuseForwarding(state, { kind: 'streamlocal', path: info.socketPath });
    reject();
  });
  client.on('request', (accept, reject, name, info) => {
    // A client saying it opens no more sessions asks nothing of the host.
    if ((name as string) === 'no-more-sessions@openssh.com') return accept?.();
    // Remote forwarding lets the host reach into the user's network: only where the connection
    // allows forwarding, and every connection the host sends back is judged and recorded.
    if (config.allow_port_forwarding && 'bindAddr' in info) {
      if (name === 'tcpip-forward') return relayRemoteForward(state, client, info, accept, reject);
      if (name === 'cancel-tcpip-forward') return cancelRemoteForward(state, info, accept, reject);
    }
    if (name.startsWith('cancel-')) return reject?.();
    const where: JsonObject = 'bindAddr' in info ? { host: info.bindAddr, port: info.bindPort } : {};
    refuseForwarding(state, { kind: name, ...where });
    reject?.();
  });
}
