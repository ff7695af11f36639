// Awaitable frames for the startup phase (client handshake, upstream authentication), on the
// relay's protocol-neutral HandshakeWaiter; the running session reads frames through the relay.
import type { Duplex } from 'node:stream';
import { HandshakeWaiter, type HandshakeWaiterOptions } from '../../relay/handshake-waiter.js';
import type { Frame, FrameReader } from './frame-reader.js';

export { withTimeout } from '../../relay/handshake-waiter.js';

export class FrameWaiter extends HandshakeWaiter<Frame, FrameReader> {
  constructor(socket: Duplex, reader: FrameReader, options: HandshakeWaiterOptions = {}) {
    super(socket, reader, 'startup', options);
  }

  get reader(): FrameReader {
    return this.framer;
  }

  /** The one-byte answer to an SSLRequest. */
  nextByte(): Promise<number> {
    return this.take((reader) => reader.takeByte());
  }
}
