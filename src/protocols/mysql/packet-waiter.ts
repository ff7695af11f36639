// Awaitable packets for the connection phase (the client's handshake, Vigil's login upstream), on
// the relay's protocol-neutral HandshakeWaiter; the running session reads with the relay.
import type { Duplex } from 'node:stream';
import { HandshakeWaiter, type HandshakeWaiterOptions } from '../../relay/handshake-waiter.js';
import type { ClientPacketFramer, LogicalPacket } from './packet-framer.js';

export { withTimeout } from '../../relay/handshake-waiter.js';

export class PacketWaiter extends HandshakeWaiter<LogicalPacket, ClientPacketFramer> {
  constructor(socket: Duplex, framer: ClientPacketFramer, options: HandshakeWaiterOptions = {}) {
    super(socket, framer, 'the handshake', options);
  }
}
