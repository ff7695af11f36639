// VigilError codes → PostgreSQL ErrorResponse (SQLSTATE), so clients show a native error.
import type { ErrorCode, VigilError } from '../../core/errors.js';
import type { SessionEndReason } from '../../core/events.js';
import type { HeldNotice } from '../../pipeline/pipeline.js';
import type { RelayFarewells } from '../../relay/index.js';
import { errorResponse, noticeResponse } from './wire-writer.js';

const SQLSTATE: Partial<Record<ErrorCode, string>> = {
  auth_missing: '28P01',
  auth_invalid: '28P01',
  auth_expired: '28P01',
  auth_revoked: '28000',
  forbidden_connection: '28000',
  policy_denied: '42501',
  approval_denied: '42501',
  // query_canceled: nothing was run, and a client may retry once someone is there to review.
  approval_timeout: '57014',
  approval_withdrawn: '57014',
  record_failed: '58000',
  // feature_not_supported: Vigil keeps the setting; nothing was changed on the server.
  setting_pinned: '0A000',
  statement_uncertain: '42501',
  approval_mismatch: '42501',
  message_too_large: '08P01',
  protocol_violation: '08P01',
  upstream_unreachable: '08006',
  upstream_timeout: '08006',
  upstream_failed: '08006',
};

export function sqlstateFor(code: ErrorCode): string {
  return SQLSTATE[code] ?? 'XX000';
}

/** The ErrorResponse for a VigilError; FATAL when the connection ends with it. */
export function vigilErrorResponse(err: VigilError, fatal: boolean): Buffer {
  const hint =
    err.code === 'record_failed'
      ? 'The statement was not run: Vigil could not record it.'
      : err.code === 'policy_denied' ||
          err.code.startsWith('approval_') ||
          err.code === 'statement_uncertain' ||
          err.code === 'setting_pinned'
        ? 'The statement was not run.'
        : undefined;
  return errorResponse({
    severity: fatal ? 'FATAL' : 'ERROR',
    code: sqlstateFor(err.code),
    message: `vigil: ${err.message}`,
    ...(hint ? { hint } : {}),
  });
}

/** Refusals that are the policy working as configured: not worth a warning in the log. */
const POLICY_REFUSALS = new Set<ErrorCode>([
  'policy_denied',
  'record_failed',
  'approval_denied',
  'approval_timeout',
  'approval_withdrawn',
  'approval_mismatch',
  'setting_pinned',
  'statement_uncertain',
]);

export function isPolicyRefusal(code: ErrorCode): boolean {
  return POLICY_REFUSALS.has(code);
}

/** Shown by psql at once while a statement waits: the approval id and what a reviewer runs. */
export function heldNoticeResponse(held: HeldNotice): Buffer {
  return noticeResponse({
    code: '00000',
    message: `vigil: statement held for approval ${held.approvalId} (rule ${held.rule}); waiting until ${held.expiresAt}`,
    hint: `A reviewer (${held.approvers.join(', ')}; ${held.required} needed) runs: vigil approvals approve ${held.approvalId} --reason ...`,
  });
}

/** The last message a client gets when its connection ends: psql shows it and reconnects no more. */
export const POSTGRES_FAREWELLS: RelayFarewells = {
  cut: (reason: SessionEndReason) =>
    errorResponse({
      severity: 'FATAL',
      code: '57P01',
      message: `vigil: the session was ended (${reason})`,
    }),
  error: (error) => vigilErrorResponse(error, true),
  upstreamLost: () =>
    errorResponse({
      severity: 'FATAL',
      code: '08006',
      message: 'vigil: the upstream server closed the connection',
    }),
};
