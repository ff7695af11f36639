// A signal request on a session channel (RFC 4254 §6.9): the user's client asks the host to send a
// signal to the channel's program (`TERM` ends it). It changes what runs on the host, so it is
// recorded (`ssh.signal`) before it is passed on, and not passed on when it cannot be recorded.
// Only the names RFC 4254 §6.10 lists are passed on, exactly as sent: another name has no meaning
// Vigil can record (OpenSSH refuses it; ssh2's client, which relays to the host, throws on it).
import type { ClientChannel } from 'ssh2';
import { toVigilError } from '../../core/errors.js';
import type { JsonObject } from '../../core/events.js';
import { cutForRecord } from '../../core/record-cut.js';
import type { ConnectionState } from './connection-state.js';

const SIGNAL_NAMES: ReadonlySet<string> = new Set([
  'ABRT',
  'ALRM',
  'FPE',
  'HUP',
  'ILL',
  'INT',
  'KILL',
  'PIPE',
  'QUIT',
  'SEGV',
  'TERM',
  'USR1',
  'USR2',
]);

/**
 * Records a signal for `channelId` and passes it on to the host's channel; resolves whether it was
 * passed on. Never rejects: a refusal or a failure to record is the client's `failure` reply.
 */
export async function relaySignal(
  state: ConnectionState,
  channelId: number,
  upstream: ClientChannel,
  name: string,
): Promise<boolean> {
  const known = SIGNAL_NAMES.has(name);
  const payload: JsonObject = known
    ? { channel: channelId, name }
    : { channel: channelId, name: cutForRecord(name, 64), refused: 'protocol_violation' };
  try {
    // Awaited: the host gets the signal only once it is on record (or, where the operator chose
    // fail-open, once recording has failed); a failure in fail-closed mode rejects.
    await state.session.observe('ssh.signal', payload);
    if (!known) return false;
    upstream.signal(name);
    return true;
  } catch (err) {
    state.logger.warn(
      { err: toVigilError(err).message, channel: channelId },
      'signal not recorded: not passed on',
    );
    return false;
  }
}
