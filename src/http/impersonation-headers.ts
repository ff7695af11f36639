// Headers that make an upstream act as another user than the credential Vigil injects. The HTTP API
// module refuses a request carrying one unless its connection lists it (acting-headers.ts); a model
// connection drops them (llm/headers.ts). They are read as a CGI-style server reads a name
// (cgiHeaderName: `X_Auth_Request_User` is `x-auth-request-user` there).

/**
 * Headers that make the injected credential act as another user: Kubernetes' `Impersonate-*`,
 * GitLab's `Sudo`, Box's `As-User`, Dropbox's team selectors, Zendesk's `X-On-Behalf-Of`, and the
 * user an authenticating proxy vouches for (`Remote-User`, Grafana's `X-WEBAUTH-USER`,
 * oauth2-proxy's `X-Auth-Request-*`), which an upstream behind one trusts. Forwarded unseen, an
 * admin token ran `GET /api/v4/user` as whoever `Sudo` named, recorded as the token's own request
 * (until 6 December).
 */
const IMPERSONATION_HEADERS: ReadonlySet<string> = new Set([
  'impersonate-user',
  'impersonate-group',
  'impersonate-uid',
  'sudo',
  'as-user',
  'dropbox-api-select-user',
  'dropbox-api-select-admin',
  'x-on-behalf-of',
  'remote-user',
  'x-remote-user',
  'x-webauth-user',
  'x-auth-request-user',
  'x-auth-request-email',
  'x-auth-request-preferred-username',
  'x-auth-request-groups',
]);
/** Kubernetes' `Impersonate-Extra-<key>` carries the impersonated user's extra attributes. */
const IMPERSONATION_PREFIXES = ['impersonate-extra-'];

/** Whether a header name, lower case and dashed (cgiHeaderName), asks the upstream to act as another user. */
export function isImpersonationHeader(read: string): boolean {
  return IMPERSONATION_HEADERS.has(read) || IMPERSONATION_PREFIXES.some((p) => read.startsWith(p));
}
