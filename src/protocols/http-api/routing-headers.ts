// Client headers by which an upstream routes a request past the path the rules judged. Gunicorn
// takes a `SCRIPT_NAME` request header as the prefix the application is mounted under and strips
// it from the path (`SCRIPT_NAME: /x` with `GET /x/admin/keys` runs `/admin/keys`); since 22.0 it
// does so only from a front-end proxy it trusts (`forwarded_allow_ips`, by default 127.0.0.1, so a
// Vigil on the same host, and `*` in many deployments), and its documentation asks that proxy to
// keep clients from sending it. A `PATH_INFO` header is listed alike. The ReverseProxied recipe
// (Flask's snippet 35, copied into Django and Flask applications) does the same with `X-Script-Name`.
// Vigil is that front-end proxy, so the client's are dropped, as `X-Original-URL` is
// (src/http/forward-headers.ts), in every spelling a CGI-style server reads alike.
import { removeUpstreamHeader } from '../../http/fixed-headers.js';

const ROUTING_HEADERS = ['script-name', 'path-info', 'x-script-name'] as const;

/** Drops the client's routing headers from the headers about to be forwarded. */
export function dropRoutingHeaders(out: Record<string, string>): void {
  for (const name of ROUTING_HEADERS) removeUpstreamHeader(out, name);
}
