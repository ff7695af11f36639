// Typed errors with stable codes. Adapters map them to their wire format (HTTP status + JSON body,
// Postgres ErrorResponse with a SQLSTATE, ...). The table in docs/errors.md is kept complete by a test.

export const ERROR_CODES = {
  // configuration and usage
  config_invalid: { status: 500, summary: 'The configuration file is invalid.' },
  config_not_found: { status: 500, summary: 'The configuration file does not exist.' },
  secret_unresolved: { status: 500, summary: 'A secret reference (env:, file:) could not be resolved.' },
  usage: { status: 400, summary: 'The command was called with invalid arguments.' },
  // authentication and authorization
  auth_missing: { status: 401, summary: 'No credential was presented.' },
  auth_invalid: { status: 401, summary: 'The credential is not a valid Vigil token.' },
  auth_expired: { status: 401, summary: 'The token has expired.' },
  auth_revoked: { status: 401, summary: 'The token or its identity has been revoked or disabled.' },
  // SAML sign-in refusals: what was wrong with the identity provider's Response
  saml_unsigned: {
    status: 401,
    summary: 'The SAML assertion is not signed (signed assertions are required).',
  },
  saml_signature_invalid: {
    status: 401,
    summary: "The SAML signature does not verify with the identity provider's certificate.",
  },
  saml_audience: { status: 401, summary: 'The SAML assertion is meant for another service provider.' },
  saml_expired: { status: 401, summary: 'The SAML assertion is expired or not yet valid.' },
  saml_replayed: { status: 401, summary: 'This SAML assertion was already used to sign in.' },
  saml_recipient: {
    status: 401,
    summary: "The SAML Response's destination or recipient is not this gateway's ACS URL.",
  },
  saml_wrapped: {
    status: 401,
    summary: 'The SAML Response is shaped to make a signed element vouch for another (signature wrapping).',
  },
  saml_in_response_to: {
    status: 401,
    summary: 'The SAML Response answers no sign-in this gateway started (InResponseTo unknown or expired).',
  },
  saml_unsolicited: {
    status: 401,
    summary:
      'An identity-provider-initiated SAML sign-in arrived, and identity.saml.allow_idp_initiated is off.',
  },
  saml_invalid: {
    status: 401,
    summary: 'The SAML Response is malformed, from another issuer, or reports a failed sign-in.',
  },
  forbidden_connection: { status: 403, summary: 'The identity may not use this connection.' },
  forbidden_role: { status: 403, summary: 'The identity lacks the role this admin route needs.' },
  csrf_refused: {
    status: 403,
    summary: 'A POST or DELETE signed in by the console cookie lacks the x-vigil-console header.',
  },
  // requests
  connection_unknown: { status: 404, summary: 'No connection has that name.' },
  route_unknown: { status: 404, summary: 'No route matches this method and path.' },
  console_not_built: {
    status: 503,
    summary: 'The web console is not built on this installation (npm run build writes dist/web-console).',
  },
  method_unknown: { status: 400, summary: 'The protocol method is not one Vigil knows how to record.' },
  session_unknown: { status: 404, summary: 'No session has that id.' },
  recording_too_large: {
    status: 422,
    summary:
      'The terminal recording is larger than the console plays; `vigil export SESSION --format asciicast` writes it to a file.',
  },
  bundle_too_large: {
    status: 422,
    summary:
      'The session is larger than the gateway bundles or verifies while it serves traffic; `vigil export SESSION` and `vigil verify --session SESSION` handle it.',
  },
  rerun_no_recorded_answer: {
    status: 404,
    summary:
      'A re-run (`vigil rerun`) has no recorded answer for this request or MCP tool call: no recorded one has its content.',
  },
  body_too_large: { status: 413, summary: 'The request body exceeds the configured limit.' },
  body_invalid_json: { status: 400, summary: 'The request body is not valid JSON.' },
  message_too_large: { status: 400, summary: 'A protocol message exceeds the configured maximum size.' },
  protocol_violation: { status: 400, summary: 'The client sent a message the protocol does not allow here.' },
  uri_malformed: { status: 400, summary: 'The request path is not a valid percent-encoded URI.' },
  method_override_refused: {
    status: 400,
    summary:
      'The request asks the upstream to run another method than the one sent (X-HTTP-Method-Override, _method), which the rules cannot judge.',
  },
  body_too_deep: { status: 400, summary: 'The JSON body nests deeper than Vigil accepts.' },
  body_encoding_unsupported: {
    status: 415,
    summary:
      'The request body has a content encoding (Vigil decodes gzip, deflate and br) or a text charset Vigil cannot decode, so it could not be judged or recorded.',
  },
  setting_pinned: {
    status: 400,
    summary:
      'A setting that changes how the target reads statements is pinned by Vigil and cannot be changed.',
  },
  statement_uncertain: {
    status: 403,
    summary: 'Vigil cannot be certain which statement the target would run, so it refused it.',
  },
  // policy
  tool_unapproved: {
    status: 403,
    summary:
      "The tool's definition changed since it was pinned (or it is new) and awaits an admin's approval.",
  },
  policy_denied: { status: 403, summary: 'A guardrail denied this action.' },
  approval_denied: { status: 403, summary: 'A reviewer denied the held action; it was not run.' },
  approval_timeout: {
    status: 403,
    summary: 'No decision came before the review timeout; the held action was not run.',
  },
  approval_withdrawn: {
    status: 409,
    summary:
      'The request was withdrawn before a decision (its requester went away or was deprovisioned, or so was a reviewer whose approval it counted); the held action was not run.',
  },
  approval_mismatch: {
    status: 409,
    summary: 'What would run differs from what the reviewers approved; it was not run.',
  },
  approval_unknown: { status: 404, summary: 'No approval request has that id.' },
  approval_closed: { status: 409, summary: 'The approval request has already been decided or expired.' },
  approval_self: { status: 403, summary: 'A requester cannot decide their own request.' },
  approval_not_reviewer: { status: 403, summary: 'The identity is not among the approvers of this request.' },
  approval_already_voted: { status: 409, summary: 'This reviewer has already decided this request.' },
  reason_required: { status: 400, summary: 'A reason is required for this action.' },
  grant_unknown: { status: 404, summary: 'No access grant has that id.' },
  break_glass_forbidden: { status: 403, summary: 'The identity may not use break-glass access here.' },
  // SCIM provisioning (the SCIM answer carries its scimType in details)
  scim_invalid: {
    status: 400,
    summary: 'The SCIM request is malformed: a bad filter, value, path or attribute (see scimType).',
  },
  scim_conflict: { status: 409, summary: 'A SCIM user or group with that userName or displayName exists.' },
  scim_not_found: { status: 404, summary: 'No SCIM user or group has that id.' },
  scim_token_unknown: { status: 404, summary: 'No SCIM token has that id.' },
  // upstream
  upstream_unreachable: { status: 502, summary: 'The upstream target could not be reached.' },
  gateway_unreachable: {
    status: 503,
    summary:
      'The CLI could not reach the Vigil gateway (is it running, and is --gateway or VIGIL_GATEWAY right?).',
  },
  upstream_timeout: { status: 504, summary: 'The upstream target did not answer in time.' },
  upstream_failed: { status: 502, summary: 'The upstream target failed while answering.' },
  upstream_host_key_changed: {
    status: 502,
    summary: "The upstream's host key differs from the pinned one, so Vigil refused to connect.",
  },
  too_many_logins: {
    status: 503,
    summary:
      'Too many connections are still logging in on this listener (listeners.max_pending_logins), or from this address (listeners.max_pending_logins_per_source); the new one was turned away.',
  },
  forwarding_refused: {
    status: 403,
    summary: 'The connection does not allow this forwarding (port, agent or X11).',
  },
  // recording
  record_failed: {
    status: 503,
    summary: 'The event could not be recorded, so the request was not forwarded.',
  },
  listen_in_use: {
    status: 500,
    summary: 'An address Vigil was to listen on is in use by another process.',
  },
  store_unavailable: {
    status: 503,
    summary: "The store's database could not be reached, or its schema could not be migrated.",
  },
  store_unreadable: {
    status: 500,
    summary: "The store's database file is not a database Vigil can read (corrupt, or another file).",
  },
  store_value_invalid: {
    status: 500,
    summary: 'The store returned a value Vigil cannot hold exactly (an integer beyond 2^53 - 1).',
  },
  // ledger
  ledger_tampered: { status: 500, summary: 'Verification found the ledger altered.' },
  ledger_missing: {
    status: 404,
    summary: 'No ledger where the configuration points: a command that reads one does not create it.',
  },
  bundle_invalid: { status: 400, summary: 'The export bundle is malformed.' },
  checkpoint_none: { status: 404, summary: 'No checkpoint has been signed yet.' },
  internal: { status: 500, summary: 'An unexpected internal error.' },
  too_many_connections: {
    status: 503,
    summary:
      "The gateway's HTTP listener holds listeners.http_max_connections connections already; the new one was closed.",
  },
  resource_header_refused: {
    status: 400,
    summary:
      'The request carries a header that names another resource for the upstream to copy, rename or read (x-amz-copy-source, X-Copy-From), which the rules cannot judge.',
  },
  impersonation_refused: {
    status: 400,
    summary:
      'The request asks the upstream to act as another user than the credential Vigil injects (Sudo, Impersonate-User, Remote-User).',
  },
  batch_refused: {
    status: 400,
    summary:
      'The request body holds further requests for the upstream to run (a $batch, a composite request), which the rules cannot judge.',
  },
  approval_limit: {
    status: 429,
    summary:
      'The requester has as many requests awaiting review as one requester may (approvals.access_requests.max_pending, 250 by default); a new access request waits until one is decided or expires.',
  },
  statement_too_complex: {
    status: 403,
    summary:
      'Vigil could not parse the statement within the parse time limit of its connection (parse_time_limit_ms), so it cannot judge it and refused it.',
  },
  auth_id_token_used: {
    status: 401,
    summary: 'This id_token was already exchanged for a Vigil token; an id_token signs in once.',
  },
  saml_other_browser: {
    status: 401,
    summary:
      'The SAML Response answers a sign-in begun in another browser (or the sign-in cookie is missing).',
  },
  parser_queue_full: {
    status: 429,
    summary:
      'As many statements of this identity are waiting for the statement parser as one identity may have (parse_queue_per_identity); the statement was refused, not run.',
  },
} as const satisfies Record<string, { status: number; summary: string }>;

export type ErrorCode = keyof typeof ERROR_CODES;

export class VigilError extends Error {
  readonly code: ErrorCode;
  /** Extra, non-secret facts for the client and the log (the rule that denied, the key that is wrong). */
  readonly details: Readonly<Record<string, unknown>> | undefined;

  constructor(
    code: ErrorCode,
    message: string,
    options?: { cause?: unknown; details?: Record<string, unknown> },
  ) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'VigilError';
    this.code = code;
    this.details = options?.details;
  }

  get status(): number {
    return ERROR_CODES[this.code].status;
  }
}

export function isVigilError(err: unknown): err is VigilError {
  return err instanceof VigilError;
}

/** Wraps anything thrown into a VigilError, keeping the original as the cause. */
export function toVigilError(err: unknown, fallback: ErrorCode = 'internal'): VigilError {
  if (err instanceof VigilError) return err;
  const message = err instanceof Error ? err.message : String(err);
  return new VigilError(fallback, message, { cause: err });
}
