// The second path a WebDAV request acts on. COPY and MOVE (RFC 4918 §10.3) write to the resource
// their `Destination` header names, so a `COPY /public/page` with `Destination: /admin/page` writes
// under `/admin` while the request line names only `/public`: a rule denying `/admin/**` never saw
// it (until 5 December). Vigil forwards the header as sent (it cannot know how the upstream maps a
// URL naming the gateway onto itself), so it judges the path the upstream will read in it, as it
// judges the request's own, and refuses a header it cannot read one way.
import type { IncomingMessage } from 'node:http';
import { VigilError } from '../../core/errors.js';
import { structuralReadings } from './path-rules.js';

/**
 * The structural readings (path-rules.ts) of the path the request's Destination header names, the
 * canonical one first, or null when it has none. Throws protocol_violation for two Destination
 * headers (Node joins them into one value, which the upstream may split either way), uri_malformed
 * for one that names no absolute path.
 *
 * `basePath` is the upstream URL's own path (`/remote.php/dav`; empty for none). The upstream reads
 * the header from its root, while the rules name paths below the base: `/remote.php/dav/admin/x`
 * is the `/admin/x` a rule denies (until 6 December it was judged as written, and passed). So each
 * reading is judged with the base cut off, and one outside the base, a resource no rule can name,
 * is refused (uri_malformed).
 */
export function destinationReadings(req: IncomingMessage, basePath = ''): string[] | null {
  const values: string[] = [];
  for (let i = 0; i + 1 < req.rawHeaders.length; i += 2) {
    if (req.rawHeaders[i]!.toLowerCase() === 'destination') values.push(req.rawHeaders[i + 1]!);
  }
  if (values.length === 0) return null;
  if (values.length > 1) {
    throw new VigilError('protocol_violation', 'the request has more than one Destination header');
  }
  // An absolute URL's path, or an absolute path; cut at its query or fragment as a URL parser cuts it.
  const path = values[0]!
    .trim()
    .replace(/^[a-z][a-z0-9+.-]*:\/\/[^/?#]*/i, '')
    .replace(/[?#].*$/s, '');
  // `//host/admin` is a reference to another authority's `/admin` to a URL parser, and a path to others.
  if (!path.startsWith('/') || path.startsWith('//')) {
    throw new VigilError('uri_malformed', 'the Destination header names no absolute path');
  }
  return structuralReadings(path).map((reading) => belowBase(reading, basePath));
}

/** A resolved path with the upstream's base path cut off; throws uri_malformed for one outside it. */
function belowBase(path: string, basePath: string): string {
  if (basePath === '') return path;
  if (path === basePath) return '/';
  if (path.startsWith(`${basePath}/`)) return path.slice(basePath.length);
  throw new VigilError(
    'uri_malformed',
    "the Destination header names a path outside the upstream's base path",
  );
}
