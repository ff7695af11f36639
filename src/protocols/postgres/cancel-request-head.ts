// A PostgreSQL CancelRequest as the first bytes of a connection, for the listener's quick request
// (server/tcp-listener.ts): a cancel takes no login, so it is still served while the listener's
// login slots are full, as PostgreSQL serves cancels outside max_connections.
import type { QuickRequest } from '../module.js';
import { STARTUP_CODES } from './frontend-messages.js';

/**
 * Int32 length 16, Int32 code 80877102, then the process id and the secret. Only four-byte secrets:
 * Vigil hands out no other (cancel-keys.ts), so a longer cancel (protocol 3.2) could match no key.
 */
const CANCEL_REQUEST_BYTES = 16;
const FIXED_HEAD = Buffer.alloc(8);
FIXED_HEAD.writeInt32BE(CANCEL_REQUEST_BYTES, 0);
FIXED_HEAD.writeInt32BE(STARTUP_CODES.cancel, 4);

export const CANCEL_REQUEST: QuickRequest = {
  bytes: CANCEL_REQUEST_BYTES,
  // The first eight bytes are fixed, so a StartupMessage, SSLRequest or GSSENCRequest differs
  // within them, usually at the first byte.
  matches: (head) => {
    const n = Math.min(head.length, FIXED_HEAD.length);
    return head.subarray(0, n).equals(FIXED_HEAD.subarray(0, n));
  },
};
