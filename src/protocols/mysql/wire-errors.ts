// VigilError codes → MySQL ERR packets (errno and SQLSTATE), so clients show a native error. A
// denial is 1142 (ER_TABLEACCESS_DENIED_ERROR, SQLSTATE 42000), the error MySQL itself gives for a
// statement the user may not run: clients treat it as a failed statement and go on.
import { type ErrorCode, VigilError } from '../../core/errors.js';
import type { SessionEndReason } from '../../core/events.js';
import type { RelayFarewells } from '../../relay/index.js';
import { errPayload, packet } from './packet-writer.js';

const ERRNO: Partial<Record<ErrorCode, [number, string]>> = {
  auth_missing: [1045, '28000'],
  auth_invalid: [1045, '28000'],
  auth_expired: [1045, '28000'],
  auth_revoked: [1045, '28000'],
  forbidden_connection: [1044, '42000'],
  policy_denied: [1142, '42000'],
  approval_denied: [1142, '42000'],
  approval_mismatch: [1142, '42000'],
  statement_uncertain: [1142, '42000'],
  statement_too_complex: [1142, '42000'],
  // ER_QUERY_INTERRUPTED: nothing ran; a client may retry once someone is there to review.
  approval_timeout: [1317, '70100'],
  approval_withdrawn: [1317, '70100'],
  // The statement was not run; it may be sent again once this identity's others are parsed.
  parser_queue_full: [1317, '70100'],
  // ER_NOT_SUPPORTED_YET: Vigil keeps the setting; nothing was changed on the server.
  setting_pinned: [1235, '42000'],
  record_failed: [1105, 'HY000'],
  // ER_NO_SUCH_THREAD: a KILL of an id that is not one of the caller's connections.
  session_unknown: [1094, 'HY000'],
  // ER_NET_PACKET_TOO_LARGE
  message_too_large: [1153, '08S01'],
  // ER_UNKNOWN_COM_ERROR
  protocol_violation: [1047, '08S01'],
  upstream_unreachable: [2013, '08S01'],
  upstream_timeout: [2013, '08S01'],
  upstream_failed: [2013, '08S01'],
};

export function errnoFor(code: ErrorCode): [number, string] {
  return ERRNO[code] ?? [1105, 'HY000'];
}

const NOT_RUN = new Set<ErrorCode>([
  'policy_denied',
  'approval_denied',
  'approval_mismatch',
  'statement_uncertain',
  'statement_too_complex',
  'parser_queue_full',
  'approval_timeout',
  'approval_withdrawn',
  'setting_pinned',
  'record_failed',
]);

/** The ERR packet for a VigilError, with the sequence id the client expects next. */
export function vigilErrPacket(err: VigilError, seq: number): Buffer {
  const [errno, sqlstate] = errnoFor(err.code);
  const suffix = NOT_RUN.has(err.code) ? ' (the statement was not run)' : '';
  return packet(seq, errPayload({ errno, sqlstate, message: `vigil: ${err.message}${suffix}` }));
}

/** Refusals that are the policy working as configured: not worth a warning in the log. */
export function isPolicyRefusal(code: ErrorCode): boolean {
  return NOT_RUN.has(code);
}

/**
 * The last packet a client gets when its connection ends. When the server went away, nothing: the
 * client sees the connection close, as it would without Vigil.
 */
export const MYSQL_FAREWELLS: RelayFarewells = {
  cut: (reason: SessionEndReason) =>
    vigilErrPacket(new VigilError('auth_revoked', `the session was ended (${reason})`), 0),
  error: (error) => vigilErrPacket(error, 0),
  upstreamLost: () => undefined,
};
