// The methods whose targets Vigil can read. Path rules and policy judge the request's path (and a
// COPY or MOVE's Destination, destination.ts); a method that names further resources in its body
// acts where no rule looked: WebDAV's BIND makes `/admin/secret` readable under `/public` (RFC 5842),
// SEARCH's scope and a REPORT's hrefs read other collections (RFC 5323, RFC 3253; CalDAV's
// calendar-multiget), DeltaV's UPDATE and MERGE copy in what a body names. Any method outside the
// list below is refused unless the connection names it in `methods_judged_by_path`, where the
// operator accepts that its path alone is judged.
import { VigilError } from '../../core/errors.js';

/** Methods that act on the request's path alone (COPY and MOVE also on their Destination). */
const PATH_TARGET_METHODS = new Set([
  'GET',
  'HEAD',
  'POST',
  'PUT',
  'PATCH',
  'DELETE',
  'OPTIONS',
  'QUERY',
  // WebDAV (RFC 4918, 3744, 4791): properties, collections, locks and access lists of the path.
  'PROPFIND',
  'PROPPATCH',
  'MKCOL',
  'MKCALENDAR',
  'LOCK',
  'UNLOCK',
  'ACL',
  'COPY',
  'MOVE',
]);

/** Null when the method's targets are read (or the operator accepted judging it by its path). */
export function unreadMethodRefusal(method: string, judgedByPath: readonly string[]): VigilError | null {
  if (PATH_TARGET_METHODS.has(method) || judgedByPath.includes(method)) return null;
  return new VigilError(
    'method_unknown',
    `${method} may act on resources its path does not name, which the rules cannot judge: the connection must list it in methods_judged_by_path`,
    { details: { rule: 'methods_judged_by_path' } },
  );
}
