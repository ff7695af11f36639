// ssh2 hands every SSH packet to its socket with a write of its own, so a relay moving bulk data
// makes one system call per 32 KiB packet, and another per window adjustment. Corking the socket
// until the end of the current tick lets Node pass all the packets one read produced to the kernel
// in a single writev; nothing waits longer than the tick that wrote it.
import type { Socket } from 'node:net';

export function coalesceWrites<S extends Socket>(socket: S): S {
  const write = socket.write;
  let corked = false;
  const uncork = () => {
    corked = false;
    socket.uncork();
  };
  socket.write = function (this: S, ...args: Parameters<Socket['write']>) {
    if (!corked) {
      corked = true;
      socket.cork();
      process.nextTick(uncork);
    }
    return write.apply(this, args);
  } as Socket['write'];
  return socket;
}
