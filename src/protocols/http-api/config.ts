// The `http` connection type: any HTTP API behind /c/<name>/…, its credential injected by Vigil
// (a bearer token, basic auth from `user:password`, or a named header), with method and path rules.
import { z } from 'zod';
import { connectionBase, duration } from '../../core/config.js';
import { upstreamHeadersSchema } from '../../http/fixed-headers.js';

const pathRule = z.strictObject({
  /** Methods the rule covers (upper case); empty or absent means every method. */
  methods: z.array(z.string().regex(/^[A-Z]+$/, 'an HTTP method in upper case')).default([]),
  /** A path pattern (`*` matches within a segment, `**` across segments), matched against the path without the query. */
  path: z.string().regex(/^\//, 'must start with /'),
  action: z.enum(['allow', 'deny']),
});

export const HTTP_CONNECTION_TYPES = {
  http: z.strictObject({
    type: z.literal('http'),
    ...connectionBase,
    upstream: z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' }),
    auth: z
      .strictObject({
        scheme: z.enum(['bearer', 'basic', 'header']).default('bearer'),
        /** For `scheme: header`: the header that carries the credential. */
        header: z
          .string()
          .regex(/^[A-Za-z0-9-]+$/)
          .optional(),
      })
      .default({ scheme: 'bearer' }),
    /** Headers set on every forwarded request, replacing the client's (a tenant or account header). */
    upstream_headers: upstreamHeadersSchema,
    /** First match decides; a request no rule matches follows `default_action`. Reviews are policy rules on http.request. */
    rules: z.array(pathRule).default([]),
    default_action: z.enum(['allow', 'deny']).default('allow'),
    /**
     * Methods beyond the standard ones (known-methods.ts) forwarded and judged by their path alone,
     * though they may name other resources in their body (WebDAV's REPORT, SEARCH, BIND).
     */
    methods_judged_by_path: z.array(z.string().regex(/^[A-Z]+$/, 'an HTTP method in upper case')).default([]),
    /**
     * Headers naming another resource (acting-headers.ts: `X-Copy-From`, `x-amz-copy-source`)
     * forwarded anyway, and recorded; the request judged by its path alone.
     */
    resource_headers_forwarded: z
      .array(z.string().regex(/^[A-Za-z0-9_-]+$/, 'an HTTP header name'))
      .default([]),
    /**
     * Headers that make the credential act as another user (acting-headers.ts: `Sudo`,
     * `Impersonate-User`) forwarded anyway, and recorded: the operator accepts the impersonation.
     */
    impersonation_headers_forwarded: z
      .array(z.string().regex(/^[A-Za-z0-9_-]+$/, 'an HTTP header name'))
      .default([]),
    /**
     * Bodies that carry further requests (batch-body.ts: a `$batch`, a composite request) forwarded
     * anyway, judged by the batch request's own path: the operator accepts what the batch runs.
     */
    batch_requests_forwarded: z.boolean().default(false),
    /** How much of each body is kept in the record (the rest is counted and hashed). */
    record_body_bytes: z.number().int().min(0).default(65_536),
    timeouts: z
      .strictObject({
        connect: duration.default(10_000),
        headers: duration.default(300_000),
        body: duration.default(300_000),
      })
      .default({ connect: 10_000, headers: 300_000, body: 300_000 }),
  }),
} as const;

export type HttpConnectionConfig = z.output<(typeof HTTP_CONNECTION_TYPES)['http']>;
