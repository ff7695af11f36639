// Which headers cross a proxy hop. Any HTTP protocol that forwards a client's request to a target
// (and the target's answer back) drops the headers that describe one connection rather than the
// message, and never lets a credential of the client's or a Vigil control header reach the target:
// the target's credential is the adapter's to inject, after this filter.
import type { IncomingHttpHeaders, OutgoingHttpHeaders } from 'node:http';
import { isClientCredentialHeader } from './credentials.js';

/** Headers that describe one hop, not the message (RFC 9110 §7.6.1), plus ones the sender sets itself. */
const HOP_BY_HOP: ReadonlySet<string> = new Set([
  'connection',
  'keep-alive',
  'proxy-authenticate',
  'proxy-authorization',
  'proxy-connection',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
  'host',
  'content-length',
  'expect',
]);

/**
 * The client's address as the CDNs and load balancers in front of an application name it, which
 * the application trusts from a proxy: Rails' `remote_ip` takes `Client-IP` (when no
 * `X-Forwarded-For` says otherwise, and Vigil drops that one) from a proxy on a private address,
 * as Vigil usually is; Akamai and Cloudflare send `True-Client-IP`, Cloudflare `CF-Connecting-IP`,
 * Fastly `Fastly-Client-IP`, and `X-Cluster-Client-IP` comes from older load balancers. Until
 * 7 December a client's went on, and the upstream took the request for one from any address the
 * client named (an allow-list of offices, a rate limit, its own audit log).
 */
const CLIENT_ADDRESS_CLAIMS: readonly string[] = [
  'client-ip',
  'true-client-ip',
  'cf-connecting-ip',
  'cf-connecting-ipv6',
  'fastly-client-ip',
  'x-cluster-client-ip',
];

/**
 * Headers with which a client would speak for a proxy: where the request came from (an upstream may
 * trust an address in them) and which URL it "really" asked for (Symfony, IIS and others route by
 * X-Original-URL or X-Rewrite-URL, past the path the rules judged). Vigil is the proxy here, so the
 * client's are dropped.
 *
 * So are the ones that name the prefix an application is mounted under, which the upstream strips
 * from the path before it routes it. Gunicorn reads a `SCRIPT_NAME` header so (and `PATH_INFO`, its
 * `forwarder_headers`), from a front-end proxy it trusts: by default 127.0.0.1, so a Vigil on the
 * same host, and its documentation asks that proxy to keep clients from sending them. The
 * ReverseProxied recipe that Flask and Django applications copy does the same with `X-Script-Name`.
 * `GET /v1/models/admin` with `SCRIPT_NAME: /v1/models` ran `/admin` on a model connection, recorded
 * as the path judged; until 6 December these went on to the upstream.
 */
const PROXY_CLAIMS: ReadonlySet<string> = new Set([
  'forwarded',
  'x-real-ip',
  'x-client-ip',
  ...CLIENT_ADDRESS_CLAIMS,
  'x-original-url',
  'x-original-uri',
  'x-rewrite-url',
  'x-override-url',
  'script-name',
  'path-info',
  'x-script-name',
]);

/**
 * A header name as a CGI-style server reads it. WSGI, Rack, PHP and CGI servers hand headers to the
 * application as `HTTP_X_ORIGINAL_URL`, so `X_Original_URL` reaches it as `X-Original-URL` does
 * (nginx and Apache drop such names; others pass them). Headers are judged by this spelling.
 */
export function cgiHeaderName(name: string): string {
  return name.toLowerCase().replaceAll('_', '-');
}

/**
 * The client's headers that may go on to the target: no hop-by-hop, credential, proxy-claim or
 * x-vigil-* header, in any spelling a CGI-style server reads as one of them.
 */
export function forwardableRequestHeaders(incoming: IncomingHttpHeaders): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(incoming)) {
    const read = cgiHeaderName(name);
    if (
      value === undefined ||
      HOP_BY_HOP.has(read) ||
      isClientCredentialHeader(read) ||
      PROXY_CLAIMS.has(read) ||
      read.startsWith('x-forwarded-') ||
      read.startsWith('x-vigil-')
    ) {
      continue;
    }
    out[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  return out;
}

/**
 * The target's response headers that may go back to the client: no hop-by-hop header, no cookie, and
 * no x-vigil-* header: those are Vigil's to say (the session an action was recorded in, why Vigil
 * refused), and a target's would replace or pass for them.
 */
export function clientResponseHeaders(
  upstream: Record<string, string | string[] | undefined>,
): OutgoingHttpHeaders {
  const out: OutgoingHttpHeaders = {};
  for (const [name, value] of Object.entries(upstream)) {
    const lower = name.toLowerCase();
    if (
      value === undefined ||
      HOP_BY_HOP.has(lower) ||
      lower === 'set-cookie' ||
      lower.startsWith('x-vigil-')
    )
      continue;
    out[name] = value;
  }
  return out;
}
