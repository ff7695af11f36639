// A connection's method and path rules: the first that matches decides; `*` stays within one path
// segment, `**` crosses segments (and `/x/**` covers `/x` itself). Paths are compared after
// percent-decoding and dot-segment removal, so `/admin` cannot be reached as `/x/../admin` or
// `/%61dmin`; and since upstreams differ in how they read a path, a request passes only if every
// reading of its path an upstream might make passes (pathReadings), and no deny rule names it with
// its format suffix stripped (withoutFormat).
import { VigilError } from '../../core/errors.js';
import type { HttpConnectionConfig } from './config.js';

function compile(pattern: string, ignoreCase: boolean): RegExp {
  // `/x/**` at the end also matches `/x`: routers that ignore a trailing slash serve both alike.
  const tail = pattern.endsWith('/**');
  const body = tail ? pattern.slice(0, -3) : pattern;
  let re = '';
  for (let i = 0; i < body.length; i++) {
    const c = body[i]!;
    if (c === '*' && body[i + 1] === '*') {
      re += '.*';
      i++;
    } else if (c === '*') re += '[^/]*';
    else re += c.replace(/[.+?^${}()|[\]\\]/g, '\\$&');
  }
  // dotAll: `**` must cross every character a path can hold.
  return new RegExp(`^${re}${tail ? '(?:/.*)?' : ''}$`, ignoreCase ? 'si' : 's');
}

function decodeOnce(rawPath: string): string {
  let decoded: string;
  try {
    decoded = decodeURIComponent(rawPath);
  } catch {
    throw new VigilError('uri_malformed', 'the request path is not valid percent-encoding');
  }
  return forwardable(decoded);
}

/**
 * Control characters (a NUL, CR or LF an upstream may split or cut on) and backslashes (a separator
 * to some servers) would make the upstream's path differ from the one judged: refused, in any
 * reading an upstream may make, the second decoding's too.
 */
function forwardable(decoded: string): string {
  if (/[\u0000-\u001f\u007f\\]/.test(decoded)) {
    throw new VigilError('uri_malformed', 'the request path contains a character Vigil does not forward');
  }
  return decoded;
}

/**
 * Applies `.` and `..` segments to a decoded path's segments. A `..` at the root leaves the path
 * at the root, as URL resolution does; `climbed` says whether one did.
 */
function resolveSegments(segments: readonly string[]): { path: string; climbed: boolean } {
  const out: string[] = [];
  let climbed = false;
  for (const segment of segments) {
    if (segment === '.') continue;
    if (segment === '..') climbed = out.pop() === undefined || climbed;
    else out.push(segment);
  }
  return { path: `/${out.join('/')}`, climbed };
}

/** The path as the upstream will resolve it: decoded, with `.` and `..` segments applied. Throws uri_malformed. */
export function canonicalPath(rawPath: string): string {
  return resolveSegments(decodeOnce(rawPath).split('/').slice(1)).path;
}

/**
 * The ways an upstream may resolve a path's structure, the canonical one first: as written; with
 * `;` parameters dropped from each segment before dot segments apply (Tomcat and Spring read
 * `/public/..;/admin` as `/admin`); with empty segments merged before they apply (nginx's
 * merge_slashes); decoded a second time (servers that decode twice read `%2561` as `a`); cut at a
 * decoded `?` or `#`. Throws uri_malformed as canonicalPath does.
 *
 * `underBase`: the path goes on below the upstream URL's own path (`https://host/api`). Vigil
 * resolves the canonical reading before it forwards it, but the other readings are resolved by the
 * upstream, from its root: a `..` that climbs above the root here climbs out of the base there, so
 * `/..;/api/admin` reaches the base's `/admin` past a rule denying `/admin/**`, and `/..;/internal`
 * a route outside the base that no rule can name. Such a path is refused (uri_malformed).
 */
export function structuralReadings(rawPath: string, underBase = false): string[] {
  const once = decodeOnce(rawPath);
  const sources = [once];
  let twice = once;
  try {
    twice = decodeURIComponent(once);
  } catch {
    // Not valid percent-encoding once decoded (`%25ff`): a server that decodes twice refuses it.
  }
  // A backslash or a NUL only the second decoding makes (`..%255Cadmin`, `admin%2500`) is refused as
  // the first decoding's is: dropped as no reading (until 5 December), it reached a server that
  // decodes twice as `../admin` or as `admin` cut at the NUL, past a rule denying `/admin`.
  if (twice !== once) sources.push(forwardable(twice));
  // A `?` or `#` a decoding makes ends the path to a server that decodes the target before it splits
  // off the query (or a proxy before it that decodes and sends it on): `/admin%3Fx` is `/admin` there.
  for (const source of [...sources]) {
    const cut = source.replace(/[?#].*$/s, '');
    if (cut !== source) sources.push(cut);
  }
  const readings = new Set<string>();
  for (const source of sources) {
    const segments = source.split('/').slice(1);
    for (const dropParams of [false, true]) {
      for (const mergeEmpty of [false, true]) {
        let s = dropParams ? segments.map((x) => x.replace(/;.*$/s, '')) : segments;
        if (mergeEmpty) s = s.filter((x, i) => x !== '' || i === s.length - 1);
        const { path, climbed } = resolveSegments(s);
        if (climbed && underBase) {
          throw new VigilError('uri_malformed', "the request path climbs above the upstream's base path");
        }
        readings.add(path);
      }
    }
  }
  return [...readings];
}

/**
 * One character as routers that compare it ignoring case with the simple (one-character) case
 * mappings read it: lower case of its upper case. Java's `equalsIgnoreCase` (Spring's
 * AntPathMatcher with case sensitivity off, JAX-RS servers) compares so, so `ı` (dotless i) and
 * `İ` are `i` there and `ſ` (long s) is `s`; .NET's OrdinalIgnoreCase (ASP.NET Core routing)
 * upper-cases `ſ` to `S`, and Go's `strings.EqualFold` folds `ſ` with `s` and the Kelvin sign with
 * `k`. JavaScript's `toLowerCase` leaves `ı`, `İ` (as `i` and a combining dot) and `ſ` apart from
 * ASCII, and so did the rules ignoring case: until 7 December `/admın/keys` passed a rule denying
 * `/admin/**` and reached a Spring application's `/admin/keys`.
 */
function foldChar(c: string): string {
  const upper = c.toUpperCase();
  const lower = ([...upper].length === 1 ? upper : c).toLowerCase();
  // Only `İ` lower-cases to more than one character (`i` and a combining dot); its simple mapping is `i`.
  return [...lower].length === 1 ? lower : [...lower][0]!;
}

/** A path with every character folded (foldChar); ASCII paths only lower-cased. */
export function caseFolded(path: string): string {
  if (/^[\u0000-\u007f]*$/.test(path)) return path.toLowerCase();
  return Array.from(path, foldChar).join('');
}

/** A resolved path as routers that ignore a trailing slash, or case (Express, ASP.NET, Spring, Go), read it. */
export function looseReadings(path: string): string[] {
  const trimmed = path.length > 1 && path.endsWith('/') ? path.slice(0, -1) : path;
  return [
    ...new Set([
      path,
      trimmed,
      path.toLowerCase(),
      trimmed.toLowerCase(),
      caseFolded(path),
      caseFolded(trimmed),
    ]),
  ];
}

/** Every reading of a path an upstream might make, from its structural readings, the canonical one first. */
export function readingsOf(structural: readonly string[]): string[] {
  return [...new Set(structural.flatMap(looseReadings))];
}

/** Every reading of a raw path an upstream might make, the canonical one (what is forwarded) first. */
export function pathReadings(rawPath: string): string[] {
  return readingsOf(structuralReadings(rawPath));
}

/**
 * A resolved path as a router that strips a format suffix reads it, or null when it has none. Rails
 * routes every path as `/admin(.:format)`, so `/admin.json` runs the action `/admin` names (Spring
 * before 5.3 matched `/admin.*` alike, and a Windows server drops a trailing dot): the last segment
 * is cut at its first dot after its first character.
 */
export function withoutFormat(path: string): string | null {
  const start = path.lastIndexOf('/') + 1;
  const dot = path.indexOf('.', start + 1);
  return dot > start ? path.slice(0, dot) : null;
}

function decide(
  config: HttpConnectionConfig,
  method: string,
  path: string,
  ignoreCase = false,
): { action: 'allow' | 'deny'; rule: string | null } {
  for (const [i, rule] of config.rules.entries()) {
    if (rule.methods.length > 0 && !rule.methods.includes(method)) continue;
    if (compile(rule.path, ignoreCase).test(path)) return { action: rule.action, rule: `rules[${i}]` };
  }
  return { action: config.default_action, rule: null };
}

/**
 * The methods an upstream may run a request as, the one sent first. Express, Rails, Django, Flask
 * and Spring answer a HEAD by running the GET handler (and dropping the body), so a rule or pattern
 * that denies GET must hold HEAD too.
 */
export function methodReadings(method: string): string[] {
  return method === 'HEAD' ? ['HEAD', 'GET'] : [method];
}

/**
 * The rules' decision for a request: denied if any reading of its method and path is (see
 * methodReadings, pathReadings), also when the rules are read ignoring case: a router that ignores
 * case serves `/microsoft.compute` as the `/Microsoft.Compute` a rule names, and lower-casing the
 * path alone would not meet a pattern written with capitals. A reading no rule names falls to the
 * default, unless a rule allows it ignoring case (the lower-cased reading of `/Microsoft.Compute/x`,
 * which its allow rule names). A deny rule also holds the path with its format suffix stripped
 * (withoutFormat). Allowed only by what the request itself is.
 */
export function pathDecision(
  config: HttpConnectionConfig,
  method: string,
  readings: readonly string[],
): { action: 'allow' | 'deny'; rule: string | null } {
  const allowed = decide(config, method, readings[0]!);
  for (const m of methodReadings(method)) {
    for (const path of readings) {
      const exact = decide(config, m, path);
      const anyCase = decide(config, m, path, true);
      if (exact.action === 'deny' && exact.rule !== null) return exact;
      // A rule that denies it ignoring case, or none that names it in any case (the default).
      if (anyCase.action === 'deny') return anyCase;
    }
    // A format suffix stripped is a reading only a deny rule is held to: under a default deny,
    // `/files/a.txt` that a rule allows is not refused for the `/files/a` no rule names.
    for (const path of readings) {
      const stripped = withoutFormat(path);
      if (stripped === null) continue;
      for (const ruling of [decide(config, m, stripped), decide(config, m, stripped, true)]) {
        if (ruling.action === 'deny' && ruling.rule !== null) return ruling;
      }
    }
  }
  return allowed;
}

/**
 * The upstream URL's own path, decoded and resolved, without its trailing slash: `/api` for
 * `https://host/api/`, empty for `https://host`. Requests go on below it; the upstream resolves what
 * they name from its root (structuralReadings, destination.ts).
 */
export function upstreamBasePath(upstream: string): string {
  const { pathname } = new URL(upstream);
  let base: string;
  try {
    base = canonicalPath(pathname);
  } catch {
    // Not percent-encoding a path can be decoded from: kept as written, so no decoded path is below it.
    base = pathname;
  }
  return base.replace(/\/+$/, '');
}
