// Other readings of a resource URI, for policy: what the server looks up or opens, which is not
// always the text the client sent. The official SDK's McpServer finds a resource by
// `new URL(uri).toString()`, which lower-cases the scheme (and a web URL's host), resolves dot
// segments and drops `localhost` from a file URL, so `DEMO://readme` is `demo://readme` to it; a
// handler that opens a file URL decodes its percent-escapes (`fileURLToPath`, Python's `unquote`),
// so `file:///etc/%70asswd` is /etc/passwd. A deny rule written against the URI the server serves
// must hold for each of these. Deny, review and alert patterns match any reading; allow patterns
// only the URI as sent (docs/policy.md), so a reading can only make a rule stricter.
import { posix } from 'node:path';

/** Every run of %XX escapes decoded as UTF-8, leniently: a bad sequence never hides the rest. */
function percentDecoded(s: string): string {
  return s.replace(/(?:%[0-9A-Fa-f]{2})+/g, (run) =>
    Buffer.from(
      run
        .slice(1)
        .split('%')
        .map((hex) => Number.parseInt(hex, 16)),
    ).toString('utf8'),
  );
}

/** The URI as a URL parser and a file handler read it; empty when it is not a URL or reads as sent. */
export function uriReadings(uri: string): string[] {
  let url: URL;
  try {
    url = new URL(uri);
  } catch {
    return [];
  }
  const out = new Set([url.href, percentDecoded(url.href)]);
  if (url.protocol === 'file:') {
    // The path a file handler opens: escapes decoded (an escaped `..` or `/` included), then resolved.
    out.add(`file://${url.host}${posix.normalize(percentDecoded(url.pathname))}`);
  }
  out.delete(uri);
  return [...out];
}
