// A connection's method and path rules: the first that matches decides; `*` stays within one path
// segment, `**` crosses segments. Paths are compared after percent-decoding and dot-segment
// removal, so `/admin` cannot be reached as `/x/../admin` or `/%61dmin`.
import { VigilError } from '../../core/errors.js';
import type { HttpConnectionConfig } from './config.js';

function compile(pattern: string): RegExp {
  let re = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === '*' && pattern[i + 1] === '*') {
      re += '.*';
      i++;
    } else if (c === '*') re += '[^/]*';
    else re += c.replace(/[.+?^${}()|[\]\\]/g, '\\$&');
  }
  // dotAll: `**` must cross every character a path can hold.
  return new RegExp(`^${re}$`, 's');
}

/** The path as the upstream will resolve it: decoded, with `.` and `..` segments applied. Throws uri_malformed. */
export function canonicalPath(rawPath: string): string {
  let decoded: string;
  try {
    decoded = decodeURIComponent(rawPath);
  } catch {
    throw new VigilError('uri_malformed', 'the request path is not valid percent-encoding');
  }
  // Control characters (a NUL, CR or LF an upstream may split on) and backslashes (a separator to
  // some servers) would make the upstream's path differ from the one judged: refused.
  if (/[\u0000-\u001f\u007f\\]/.test(decoded)) {
    throw new VigilError('uri_malformed', 'the request path contains a character Vigil does not forward');
  }
  const out: string[] = [];
  for (const segment of decoded.split('/').slice(1)) {
    if (segment === '.') continue;
    if (segment === '..') out.pop();
    else out.push(segment);
  }
  return `/${out.join('/')}`;
}

export function pathDecision(
  config: HttpConnectionConfig,
  method: string,
  path: string,
): { action: 'allow' | 'deny'; rule: string | null } {
  for (const [i, rule] of config.rules.entries()) {
    if (rule.methods.length > 0 && !rule.methods.includes(method)) continue;
    if (compile(rule.path).test(path)) return { action: rule.action, rule: `rules[${i}]` };
  }
  return { action: config.default_action, rule: null };
}
