// Headers that change what the upstream acts on, or as whom, in ways the rules cannot judge: they
// judge the request's path (and a COPY or MOVE's Destination, destination.ts) and the record shows
// the credential Vigil injected. Such a request is refused unless the connection lists the header
// (`resource_headers_forwarded`, `impersonation_headers_forwarded`); one listed is forwarded and
// recorded in the http.request (`forwarded_headers`), so the record says what the upstream got.
import { VigilError } from '../../core/errors.js';
import { cgiHeaderName } from '../../http/forward-headers.js';
import { isImpersonationHeader } from '../../http/impersonation-headers.js';
import { bodyTexts } from './body-text.js';

/**
 * Headers naming a second resource to copy, rename or read, in a form Vigil cannot map onto the
 * upstream's paths: S3's `x-amz-copy-source: bucket/key` is a path from the root, Swift's
 * `X-Copy-From: container/object` one from the account, Azure's `x-ms-copy-source` a whole URL.
 * Object stores (S3 and the S3-shaped ones: MinIO, Ceph, R2, Alibaba, Tencent, Huawei; Google Cloud
 * Storage's XML API; Azure Blob and Data Lake) copy or rename from the resource named; Swift copies
 * from it, and serves the objects a manifest or symlink names when the manifest or link is read. So
 * `PUT /public/copy` with `X-Copy-From: admin/secret` copied an object under a path a rule denied
 * into one it allowed (until 6 December). Lower case, dashed.
 */
const RESOURCE_HEADERS: ReadonlySet<string> = new Set([
  'x-amz-copy-source',
  'x-goog-copy-source',
  'x-ms-copy-source',
  'x-ms-rename-source',
  'x-oss-copy-source',
  'x-cos-copy-source',
  'x-obs-copy-source',
  'x-copy-from',
  'x-copy-from-account',
  'x-object-manifest',
  'x-symlink-target',
  'x-symlink-target-account',
]);

export type ActingHeaderKind = 'resource' | 'impersonation';

function kindOf(read: string): ActingHeaderKind | null {
  if (RESOURCE_HEADERS.has(read)) return 'resource';
  if (isImpersonationHeader(read)) return 'impersonation';
  return null;
}

export interface ActingHeaders {
  /** The first such header the connection does not forward, or null. */
  readonly refused: { kind: ActingHeaderKind; name: string; value: string } | null;
  /** Those the connection lists, by name as a CGI-style server reads it: recorded, then forwarded. */
  readonly forwarded: Record<string, string>;
}

/**
 * The acting headers of a request (and GitLab's `sudo` parameter, `sudoParam`). Each is read as a CGI-style server reads it: Swift, behind WSGI,
 * takes `X_Copy_From` as `X-Copy-From`, and Rack `Remote_User` as `Remote-User`.
 */
export function actingHeaders(
  headers: Readonly<Record<string, string | string[] | undefined>>,
  listed: Readonly<Record<ActingHeaderKind, readonly string[]>>,
  sudoParam: string | null = null,
): ActingHeaders {
  const lists = {
    resource: new Set(listed.resource.map(cgiHeaderName)),
    impersonation: new Set(listed.impersonation.map(cgiHeaderName)),
  };
  const forwarded: Record<string, string> = {};
  for (const [name, raw] of Object.entries(headers)) {
    const read = cgiHeaderName(name);
    const kind = raw === undefined ? null : kindOf(read);
    if (kind === null || raw === undefined) continue;
    const value = Array.isArray(raw) ? raw.join(', ') : raw;
    if (!lists[kind].has(read)) return { refused: { kind, name: read, value }, forwarded };
    // `X-Remote-User` and `X_Remote_User` are one header to a CGI-style server: recorded as one.
    forwarded[read] = forwarded[read] === undefined ? value : `${forwarded[read]}, ${value}`;
  }
  // GitLab's `sudo` parameter (sudoParameter) is its `Sudo` header, judged as the header is.
  if (sudoParam !== null) {
    if (!lists.impersonation.has('sudo')) {
      return { refused: { kind: 'impersonation', name: 'sudo', value: sudoParam }, forwarded };
    }
    forwarded.sudo = forwarded.sudo === undefined ? sudoParam : `${forwarded.sudo}, ${sudoParam}`;
  }
  return { refused: null, forwarded };
}

/**
 * GitLab also reads `sudo` as a parameter, in the query or the body (a form or JSON: Grape merges
 * them), as it reads the header. The value of the first one found, or null.
 */
export function sudoParameter(
  search: string,
  contentType: string | undefined,
  body: Uint8Array,
): string | null {
  const inQuery = new URLSearchParams(search).get('sudo');
  if (inQuery !== null) return inQuery;
  if (body.length === 0) return null;
  const raw = Buffer.from(body.buffer, body.byteOffset, body.byteLength).toString('utf8');
  for (const text of new Set([raw, ...bodyTexts(body, contentType)])) {
    const inForm = new URLSearchParams(text).get('sudo');
    if (inForm !== null) return inForm;
    try {
      const value: unknown = JSON.parse(text);
      if (typeof value === 'object' && value !== null && !Array.isArray(value) && 'sudo' in value)
        return String((value as Record<string, unknown>).sudo);
    } catch {
      // Not JSON: nothing a JSON parser would read it from.
    }
  }
  return null;
}

export function actingHeaderRefused(kind: ActingHeaderKind, name: string): VigilError {
  return kind === 'resource'
    ? new VigilError(
        'resource_header_refused',
        `the ${name} header names another resource for the upstream to act on, which the rules cannot judge: the connection must list it in resource_headers_forwarded`,
        { details: { header: name, rule: 'resource_headers_forwarded' } },
      )
    : new VigilError(
        'impersonation_refused',
        `the ${name} header asks the upstream to act as another user than the credential Vigil injects: the connection must list it in impersonation_headers_forwarded`,
        { details: { header: name, rule: 'impersonation_headers_forwarded' } },
      );
}
