// Forwards on a connection that allows them. A local forward (`ssh -L`) is an ssh.forward action,
// judged and recorded before the host opens it. A remote forward (`ssh -R`) is judged when the user
// asks the host to listen, and each connection the host then sends back is judged and recorded
// before it reaches the user; so is each X11 connection (`ssh -X`) and each use of a forwarded agent
// (`ssh -A`). When a forwarded channel closes, the bytes each way are recorded with it. The contents
// are not recorded: they are another protocol Vigil cannot read here.
import type { Duplex } from 'node:stream';
import type {
  AcceptConnection,
  Client,
  ClientChannel,
  Connection,
  RejectConnection,
  ServerChannel,
} from 'ssh2';
import { toVigilError } from '../../core/errors.js';
import type { JsonObject } from '../../core/events.js';
import { duplexPair, openAgentChannel } from './agent-forwarding.js';
import type { ConnectionState } from './connection-state.js';

/** What a forwarded TCP channel is recorded as: where it goes and where it comes from. */
export function tcpPayload(
  kind: 'direct-tcpip' | 'forwarded-tcpip',
  info: {
    readonly destIP: string;
    readonly destPort: number;
    readonly srcIP: string;
    readonly srcPort: number;
  },
): JsonObject {
  return { kind, host: info.destIP, port: info.destPort, origin: `${info.srcIP}:${info.srcPort}` };
}

export function relayForward(
  state: ConnectionState,
  payload: JsonObject,
  accept: AcceptConnection<ServerChannel>,
  reject: RejectConnection,
): void {
  void (async () => {
    try {
      await state.session.submit('ssh.forward', { ...payload, phase: 'open' }, { signal: state.signal });
      const { client } = await state.upstream;
      const [origin, originPort] = String(payload.origin).split(':');
      const upstream = await new Promise<ClientChannel>((resolve, reject) => {
        client.forwardOut(
          origin ?? '127.0.0.1',
          Number(originPort ?? 0),
          String(payload.host),
          Number(payload.port),
          (err, ch) => (err ? reject(err) : resolve(ch)),
        );
      });
      relayCounted(state, payload, accept(), upstream);
    } catch (err) {
      state.logger.warn({ session: state.session.id, err: toVigilError(err).message }, 'ssh forward refused');
      reject();
    }
  })();
}

/**
 * Relays a forwarded channel both ways, counting what the user sends (`bytes_to_host`) and what
 * the host sends (`bytes_from_host`): recorded as the forward's close, however it ends.
 */
function relayCounted(state: ConnectionState, payload: JsonObject, user: ServerChannel, host: Duplex): void {
  let sent = 0;
  let received = 0;
  user.on('data', (chunk: Buffer) => {
    sent += chunk.length;
  });
  host.on('data', (chunk: Buffer) => {
    received += chunk.length;
  });
  user.pipe(host).pipe(user);
  let closed = false;
  const close = () => {
    if (closed) return;
    closed = true;
    state.record('ssh.forward', {
      ...payload,
      phase: 'closed',
      bytes_to_host: sent,
      bytes_from_host: received,
    });
    user.destroy();
    host.destroy();
  };
  user.on('close', close);
  host.on('close', close);
  state.onEnd(close);
}

/** Upstream clients already relaying the host's forwarded connections (one handler each). */
const serving = new WeakSet<object>();

/**
 * `ssh -R`: the host is asked to listen only once the request is judged (ssh.forward, phase
 * `listen`); the port it bound is the answer. Connections the host accepts on it are judged and
 * recorded one by one (phase `open`, kind `forwarded-tcpip`) before the user's side is opened.
 */
export function relayRemoteForward(
  state: ConnectionState,
  user: Connection,
  bind: { readonly bindAddr: string; readonly bindPort: number },
  accept: ((port?: number) => void) | undefined,
  reject: (() => void) | undefined,
): void {
  void (async () => {
    const payload = { kind: 'tcpip-forward', host: bind.bindAddr, port: bind.bindPort };
    try {
      await state.session.submit('ssh.forward', { ...payload, phase: 'listen' }, { signal: state.signal });
      const { client } = await state.upstream;
      if (!serving.has(client)) {
        serving.add(client);
        client.on('tcp connection', (info, acceptHost, rejectHost) => {
          const channelPayload = tcpPayload('forwarded-tcpip', info);
          openTowardsUser(
            state,
            channelPayload,
            () => forwardOutToUser(user, channelPayload),
            acceptHost,
            rejectHost,
          );
        });
      }
      const port = await new Promise<number>((resolve, fail) =>
        client.forwardIn(bind.bindAddr, bind.bindPort, (err, bound) => (err ? fail(err) : resolve(bound))),
      );
      state.record('ssh.forward', { ...payload, phase: 'listening', bound_port: port });
      accept?.(bind.bindPort === 0 ? port : undefined);
    } catch (err) {
      state.logger.warn(
        { session: state.session.id, err: toVigilError(err).message },
        'ssh remote forward refused',
      );
      reject?.();
    }
  })();
}

/** `cancel-tcpip-forward`: the host stops listening, and the cancellation is recorded. */
export function cancelRemoteForward(
  state: ConnectionState,
  bind: { readonly bindAddr: string; readonly bindPort: number },
  accept: (() => void) | undefined,
  reject: (() => void) | undefined,
): void {
  void (async () => {
    try {
      const { client } = await state.upstream;
      await new Promise<void>((resolve, fail) =>
        client.unforwardIn(bind.bindAddr, bind.bindPort, (err) => (err ? fail(err) : resolve())),
      );
      state.record('ssh.forward', {
        kind: 'tcpip-forward',
        host: bind.bindAddr,
        port: bind.bindPort,
        phase: 'cancelled',
      });
      accept?.();
    } catch {
      reject?.();
    }
  })();
}

/**
 * `ssh -X`: each X11 connection the host opens back (an X client on the host reaching the user's
 * display) is judged and recorded, then opened to the user's client, which checks the X11 cookie.
 */
export function serveX11(state: ConnectionState, user: Connection, client: Client): void {
  client.on('x11', (info, acceptHost, rejectHost) => {
    const payload = { kind: 'x11', origin: `${info.srcIP}:${info.srcPort}` };
    const open = () =>
      new Promise<ServerChannel>((resolve, fail) =>
        user.x11(info.srcIP, info.srcPort, (err, ch) => (err ? fail(err) : resolve(ch))),
      );
    openTowardsUser(state, payload, open, acceptHost, rejectHost);
  });
}

/**
 * `ssh -A`: each time the host opens the forwarded agent (`ssh-add -l`, a login onwards), the use
 * is judged and recorded, then an agent channel is opened to the user. `done` gets the stream ssh2
 * pipes the host's channel into, or an error, which makes ssh2 refuse the host's channel.
 */
export function agentTowardsUser(
  state: ConnectionState,
  user: Connection,
  done: (err?: Error, stream?: Duplex) => void,
): void {
  const acceptHost = () => {
    const [forHost, hostSide] = duplexPair();
    done(undefined, forHost);
    return hostSide;
  };
  const rejectHost = () => done(new Error('agent forwarding refused'));
  openTowardsUser(state, { kind: 'agent' }, () => openAgentChannel(user), acceptHost, rejectHost);
}

function forwardOutToUser(user: Connection, payload: JsonObject): Promise<ServerChannel> {
  const [origin, originPort] = String(payload.origin).split(':');
  return new Promise((resolve, fail) =>
    user.forwardOut(
      String(payload.host),
      Number(payload.port),
      origin ?? '127.0.0.1',
      Number(originPort ?? 0),
      (err, ch) => (err ? fail(err) : resolve(ch)),
    ),
  );
}

/** A channel the host opens towards the user: judged and recorded first, then relayed and counted. */
function openTowardsUser(
  state: ConnectionState,
  payload: JsonObject,
  openUser: () => Promise<ServerChannel>,
  acceptHost: () => Duplex,
  rejectHost: () => void,
): void {
  void (async () => {
    try {
      await state.session.submit('ssh.forward', { ...payload, phase: 'open' }, { signal: state.signal });
      const toUser = await openUser();
      relayCounted(state, payload, toUser, acceptHost());
    } catch (err) {
      state.logger.warn(
        { session: state.session.id, kind: payload.kind, err: toVigilError(err).message },
        'ssh forwarded channel refused',
      );
      rejectHost();
    }
  })();
}
