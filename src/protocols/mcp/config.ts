// The `mcp` connection type: Vigil is an MCP server to the client (streamable HTTP at
// /c/<name>/mcp) and an MCP client to the upstream, which is either a streamable-HTTP endpoint
// (`upstream: https://…/mcp`, the credential injected) or a local command Vigil spawns
// (`upstream: stdio`, `command:` and `env:` with secret references).
import { z } from 'zod';
import { connectionBase, duration, secretRef } from '../../core/config.js';

const toolPattern = z.string().min(1);

export const MCP_CONNECTION_TYPES = {
  mcp: z
    .strictObject({
      type: z.literal('mcp'),
      ...connectionBase,
      upstream: z.union([
        z.literal('stdio'),
        z.url({ protocol: /^https?$/, error: 'must be an http(s) URL of the MCP endpoint, or stdio' }),
      ]),
      /** For `upstream: stdio`: the program and its arguments. */
      command: z.array(z.string().min(1)).min(1).optional(),
      /** For `upstream: stdio`: environment of the spawned command; values are secret references. */
      env: z.record(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/), secretRef).default({}),
      /** How the credential reaches an HTTP upstream: a bearer token, or a named header. */
      credential_header: z
        .string()
        .regex(/^[A-Za-z0-9-]+$/)
        .default('authorization'),
      tools: z
        .strictObject({
          /** Tools that may be called (`*` wildcards); empty means every tool not denied. */
          allow: z.array(toolPattern).default([]),
          deny: z.array(toolPattern).default([]),
          /** A tool first seen after the connection's first listing: allowed and pinned, or held until approved. */
          new_tools: z.enum(['allow', 'hold']).default('allow'),
        })
        .default({ allow: [], deny: [], new_tools: 'allow' }),
      /**
       * Requests the upstream may send the client (each recorded, with the client's answer); any
       * other is answered with an error and never reaches the client. `ping` always passes.
       */
      server_requests: z
        .array(z.string().min(1))
        .default(['sampling/createMessage', 'elicitation/create', 'roots/list']),
      /** The OAuth authorization server(s) advertised in the protected-resource metadata (Vigil's OIDC issuer). */
      authorization_servers: z.array(z.url()).default([]),
      /** The public base URL of the gateway (for the metadata URL); defaults to http://<Host header>. */
      public_url: z.url().optional(),
      /** Browser origins allowed to call the endpoint (DNS-rebinding protection); requests without Origin pass. */
      allowed_origins: z.array(z.string().min(1)).default([]),
      timeouts: z
        .strictObject({ connect: duration.default(10_000), request: duration.default(300_000) })
        .default({ connect: 10_000, request: 300_000 }),
      /** The largest JSON-RPC message accepted from the client or the upstream. */
      max_message_bytes: z
        .number()
        .int()
        .min(1024)
        .default(4 * 1024 * 1024),
    })
    .superRefine((c, ctx) => {
      if (c.upstream === 'stdio' && !c.command)
        ctx.addIssue({ code: 'custom', path: ['command'], message: 'upstream: stdio needs a command' });
      if (c.upstream !== 'stdio' && c.command)
        ctx.addIssue({ code: 'custom', path: ['command'], message: 'command is only for upstream: stdio' });
    }),
} as const;

export type McpConnectionConfig = z.output<(typeof MCP_CONNECTION_TYPES)['mcp']>;
