// A small route table: method and path pattern, matched in order, with the pattern's groups
// percent-decoded into parameters. Groups are matched on the raw path, so an encoded "/" (%2F) stays
// inside its parameter instead of splitting the path. What a route does and who may call it is the
// caller's (the admin API adds roles); this only finds the route.
import { decodePathSegment } from './request-path.js';

export interface RoutePattern {
  readonly method: string;
  /** Anchored (^...$), or it matches any path that merely contains it. Each group is one parameter. */
  readonly pattern: RegExp;
}

export interface RouteMatch<R extends RoutePattern> {
  readonly route: R;
  /** The decoded capture groups, in order; an optional group that did not match is ''. */
  readonly params: string[];
}

/**
 * The first route whose pattern and method match; 'method' when some pattern matches the path but
 * none with this method (the caller answers "not supported on this path" rather than "no such
 * path"); null when no pattern matches. Throws uri_malformed when a parameter is not valid
 * percent-encoded UTF-8.
 */
export function matchRoute<R extends RoutePattern>(
  routes: readonly R[],
  method: string,
  path: string,
): RouteMatch<R> | 'method' | null {
  let pathMatched = false;
  for (const route of routes) {
    const m = route.pattern.exec(path);
    if (!m) continue;
    pathMatched = true;
    if (route.method === method) return { route, params: m.slice(1).map((p) => decodePathSegment(p ?? '')) };
  }
  return pathMatched ? 'method' : null;
}
