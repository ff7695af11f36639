// Whether the server RUNS a version-gated executable comment (`/*!50700 ... */`, MariaDB's
// `/*M!100500 ... */`) or skips it as a comment. The two readings differ in more than the content:
// run, the content is code, so a quote in it starts a string that may run past the `*/`; skipped,
// the comment ends at the first `*/` (one nested `/* */` allowed), whatever quotes it holds. So
// `/*!99999 select ' */ drop table t -- ' */` is one SELECT of a string when read as code and a
// DROP when skipped, as MariaDB does with versions 50700-99999. Vigil must read each comment as
// the server will, and refuses a comment whose fate it cannot know.
// The rules are the servers' lexers (MariaDB sql_lex.cc, MySQL sql_lex.cc):
// - MariaDB reads a 5- or 6-digit version and runs the content when version <= its own and the
//   version is below 50700, above 99999, or behind `/*M!`; otherwise it skips the comment.
// - MySQL reads exactly 5 digits and runs the content when version <= its own; `/*M!` is an
//   ordinary comment to it. Whether a sixth digit is read depends on the release: uncertain.
// - Without a version (fewer than 5 digits) `/*!` always runs; `/*M!` runs on MariaDB only.
// - When the server is not known (the CLI's `vigil policy test`), only what every MySQL >= 5.7
//   and MariaDB runs is certain: `/*!` without a version or with one below 50700.

export interface ServerDialect {
  readonly mariadb: boolean;
  /** The version as the servers number them: 10.11.19 is 101119, 8.0.36 is 80036. */
  readonly version: number;
}

/** `run`: the content is code; `skip`: a comment that may nest one comment; `comment`: a plain one. */
export type CommentReading = 'run' | 'skip' | 'comment' | 'uncertain';

/** The server a greeting's version string names, or null when Vigil cannot read it. */
export function serverDialect(serverVersion: string): ServerDialect | null {
  const mariadb = /mariadb/i.test(serverVersion);
  // MariaDB before 11 prefixes "5.5.5-" for old replication clients.
  const text = mariadb ? serverVersion.replace(/^5\.5\.5-/, '') : serverVersion;
  const m = /^(\d{1,2})\.(\d{1,2})\.(\d{1,2})(?!\d)/.exec(text);
  if (!m) return null;
  return { mariadb, version: Number(m[1]) * 10000 + Number(m[2]) * 100 + Number(m[3]) };
}

/**
 * How `server` reads an executable comment opened by `marker` and followed by `digits` (the run of
 * up to six digits after the marker, possibly empty), and how many of those digits are the version
 * (skipped when the content runs).
 */
export function readVersionComment(
  server: ServerDialect | null,
  marker: '!' | 'M!',
  digits: string,
): { readonly reading: CommentReading; readonly versionDigits: number } {
  const versioned = digits.length >= 5;
  if (server === null) {
    if (marker === 'M!') return { reading: 'uncertain', versionDigits: 0 };
    if (!versioned) return { reading: 'run', versionDigits: 0 };
    if (digits.length === 5 && Number(digits) < 50700) return { reading: 'run', versionDigits: 5 };
    return { reading: 'uncertain', versionDigits: 0 };
  }
  if (server.mariadb) {
    if (!versioned) return { reading: 'run', versionDigits: 0 };
    const v = Number(digits);
    const runs = v <= server.version && (v < 50700 || v > 99999 || marker === 'M!');
    return { reading: runs ? 'run' : 'skip', versionDigits: digits.length };
  }
  if (marker === 'M!') return { reading: 'comment', versionDigits: 0 };
  if (!versioned) return { reading: 'run', versionDigits: 0 };
  if (digits.length === 6) return { reading: 'uncertain', versionDigits: 0 };
  return { reading: Number(digits) <= server.version ? 'run' : 'skip', versionDigits: 5 };
}

/**
 * The index just past the star-slash that ends a comment whose body starts at `from`, or -1; with
 * `nesting` 1, a slash-star inside opens a comment of its own first (the servers' consume_comment).
 */
export function commentEnd(sql: string, from: number, nesting: number): number {
  let i = from;
  while (i < sql.length) {
    const c = sql[i++];
    if (nesting > 0 && c === '/' && sql[i] === '*') {
      const inner = commentEnd(sql, i + 1, nesting - 1);
      if (inner === -1) return -1;
      i = inner;
      continue;
    }
    if (c === '*' && sql[i] === '/') return i + 1;
  }
  return -1;
}
