// Agent forwarding (`ssh -A`) on a connection that allows it. The host reaches the user's agent by
// opening an `auth-agent@openssh.com` channel to Vigil; Vigil judges and records it, then opens the
// same kind of channel to the user and relays the two (forwarding.ts counts the bytes). The agent
// never signs anything for Vigil itself: Vigil logs in to the host with its own credential.
import { Duplex, PassThrough } from 'node:stream';
import ssh2, { type Connection, type ServerChannel } from 'ssh2';
import { VigilError } from '../../core/errors.js';

type StreamCallback = (err?: Error, stream?: Duplex) => void;

/**
 * The agent ssh2's client of the host is given, so that it accepts the host's agent channels: it
 * holds no keys (Vigil's login never offers the user's keys), and each stream it hands out is one
 * the connection opened towards the user, through `open`.
 */
export class UserAgent extends ssh2.BaseAgent {
  constructor(private readonly open: (callback: StreamCallback) => void) {
    super();
  }

  override getIdentities(callback: (err: Error | undefined, keys?: never[]) => void): void {
    callback(undefined, []);
  }

  override sign(_key: unknown, _data: Buffer, ...rest: unknown[]): void {
    const callback = rest.find((r) => typeof r === 'function') as ((err: Error) => void) | undefined;
    callback?.(new Error('Vigil signs nothing with a forwarded agent'));
  }

  override getStream(callback: StreamCallback): void {
    this.open(callback);
  }
}

/** Values ssh2's own server uses for the channels it opens (lib/Channel.js). */
const MAX_WINDOW = 2 * 1024 * 1024;
const PACKET_SIZE = 32 * 1024;

interface ServerInternals {
  _chanMgr?: { add(opened: unknown): number };
  _protocol?: { openssh_authAgent?(channel: number, window: number, packetSize: number): void };
}

/**
 * Opens an `auth-agent@openssh.com` channel to the user. ssh2's server can send this channel open
 * (its protocol layer has it) but offers no method for it, so this mirrors what its `x11()` does
 * through the same internals; if a later ssh2 lacks them, forwarding is refused, never bypassed.
 */
export function openAgentChannel(user: Connection): Promise<ServerChannel> {
  const internals = user as unknown as ServerInternals;
  const channels = internals._chanMgr;
  const protocol = internals._protocol;
  if (!channels || typeof protocol?.openssh_authAgent !== 'function') {
    return Promise.reject(
      new VigilError('forwarding_refused', 'this ssh2 version cannot open agent channels to the user'),
    );
  }
  return new Promise((resolve, reject) => {
    const opened = (err: Error | undefined, channel: ServerChannel) => (err ? reject(err) : resolve(channel));
    opened.type = 'auth-agent@openssh.com';
    const id = channels.add(opened);
    if (id === -1) return reject(new VigilError('forwarding_refused', 'no free channels towards the user'));
    protocol.openssh_authAgent!(id, MAX_WINDOW, PACKET_SIZE);
  });
}

/**
 * Two connected duplex streams: what is written to one is read from the other. ssh2 pipes the
 * host's agent channel into the first; Vigil relays (and counts) the second.
 */
export function duplexPair(): [Duplex, Duplex] {
  const aToB = new PassThrough();
  const bToA = new PassThrough();
  return [Duplex.from({ writable: aToB, readable: bToA }), Duplex.from({ writable: bToA, readable: aToB })];
}
