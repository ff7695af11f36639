// A name for the client's TCP connection, recorded on each llm.request so the reasoning-tree builder
// can tell apart two runs that share a session (same identity, same connection config, no session
// header) but not a socket. It is a counter under a random per-process prefix: never the client's
// address, which says nothing about which run a request belongs to and is personal data besides.

import { randomBytes } from 'node:crypto';
import type { Socket } from 'node:net';

/** Distinguishes this gateway process's counters from those of another replica or a restart. */
const PROCESS_PREFIX = randomBytes(4).toString('hex');
const names = new WeakMap<Socket, string>();
let opened = 0;

/** The same name for every request on one socket (keep-alive), a new one for every new socket. */
export function clientConnectionName(socket: Socket): string {
  let name = names.get(socket);
  if (name === undefined) {
    name = `${PROCESS_PREFIX}-${++opened}`;
    names.set(socket, name);
  }
  return name;
}
