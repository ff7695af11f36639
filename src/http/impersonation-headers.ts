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
 *
 * An authenticating proxy vouches for more than the user's name: Authelia also sends
 * `Remote-Groups`, `Remote-Email` and `Remote-Name`, Grafana's auth proxy reads a role and groups
 * beside its user, and the identity-aware front ends of the clouds and of Tailscale name the user in
 * headers of their own (Google IAP, AWS ALB, Azure App Service, Cloudflare Access, `tailscale
 * serve`, authentik, Vouch, Pomerium), which an application behind one reads as the signed-in user.
 * Until 7 December these went on: `Remote-Groups: admins` reached an application behind Authelia
 * as a member of `admins`, and `Tailscale-User-Login` signed its sender in as anyone.
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
  'remote-groups',
  'remote-email',
  'remote-name',
  'x-remote-group',
  'x-goog-authenticated-user-email',
  'x-goog-authenticated-user-id',
  'cf-access-authenticated-user-email',
  'x-vouch-user',
]);
/**
 * Families of such headers: Kubernetes' `Impersonate-Extra-<key>` (and the API aggregation layer's
 * `X-Remote-Extra-<key>`) carry the user's extra attributes; Grafana's `X-WEBAUTH-*` (user, email,
 * name, role, groups); AWS ALB's `X-Amzn-Oidc-Identity` and `-Data`; Azure App Service's
 * `X-MS-CLIENT-PRINCIPAL`, `-NAME`, `-ID`, `-IDP`; `Tailscale-User-Login` and `-Name`; authentik's
 * `X-authentik-*`; Pomerium's `X-Pomerium-Claim-*`.
 */
const IMPERSONATION_PREFIXES = [
  'impersonate-extra-',
  'x-remote-extra-',
  'x-webauth-',
  'x-amzn-oidc-',
  'x-ms-client-principal',
  'tailscale-user-',
  'x-authentik-',
  'x-pomerium-claim-',
];

/** Whether a header name, lower case and dashed (cgiHeaderName), asks the upstream to act as another user. */
export function isImpersonationHeader(read: string): boolean {
  return IMPERSONATION_HEADERS.has(read) || IMPERSONATION_PREFIXES.some((p) => read.startsWith(p));
}
