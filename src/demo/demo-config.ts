// The demo setup: what `vigil start` runs when there is no vigil.yaml. Everything is local and
// offline: a stand-in model plays the provider, and two demo identities hold fixed tokens so the
// README's snippets work as written.
import { randomBytes } from 'node:crypto';
import { resolve } from 'node:path';
import { hashToken } from '../identity/config-tokens.js';
import { configSchema } from '../protocols/index.js';
import type { LoadedConfig } from '../server/load-config.js';

export const DEMO_TOKENS = { alice: 'vigil-demo-alice', bob: 'vigil-demo-bob' } as const;
export const DEMO_UPSTREAM_KEY_ENV = 'VIGIL_DEMO_UPSTREAM_KEY';
export const DEMO_PG_PASSWORD_ENV = 'VIGIL_DEMO_PG_PASSWORD';
export const DEMO_PG_LISTEN = '127.0.0.1:15432';
export const DEMO_TOOLS_KEY_ENV = 'VIGIL_DEMO_TOOLS_KEY';

/** The demo tool server's bearer token: random per start, known only to Vigil and that server. */
export function demoToolsKey(): string {
  process.env[DEMO_TOOLS_KEY_ENV] ??= `tools-demo-${randomBytes(18).toString('hex')}`;
  return process.env[DEMO_TOOLS_KEY_ENV];
}
export const DEMO_SSH_KEY_ENV = 'VIGIL_DEMO_SSH_KEY';
export const DEMO_SSH_LISTEN = '127.0.0.1:2222';

/** The "real" upstream key of the demo: random per start, known only to Vigil and the stand-in model. */
export function demoUpstreamKey(): string {
  process.env[DEMO_UPSTREAM_KEY_ENV] ??= `sk-demo-${randomBytes(18).toString('hex')}`;
  return process.env[DEMO_UPSTREAM_KEY_ENV];
}

/**
 * The demo configuration, pointing at a stand-in model already listening at `modelUrl` and, when
 * given, a demo PostgreSQL (its password in DEMO_PG_PASSWORD_ENV, known only to Vigil).
 */
export function demoConfig(
  modelUrl: string,
  options: {
    listen?: string;
    dataDir?: string;
    postgresUrl?: string;
    postgresListen?: string;
    /** The demo MCP tool server (src/demo/mcp-tools), served as connection "tools". */
    toolsUrl?: string;
    /** The demo SSH host (its key in DEMO_SSH_KEY_ENV, known only to Vigil). */
    sshUpstream?: string;
    sshListen?: string;
  } = {},
): LoadedConfig {
  demoUpstreamKey();
  const config = configSchema.parse({
    listen: options.listen ?? '127.0.0.1:8080',
    data: options.dataDir ?? './.vigil',
    identities: [
      {
        name: 'alice',
        groups: ['ai-eng'],
        roles: ['admin'],
        token_sha256: hashToken(DEMO_TOKENS.alice),
      },
      { name: 'bob', groups: ['contractors'], roles: ['user'], token_sha256: hashToken(DEMO_TOKENS.bob) },
    ],
    connections: [
      {
        name: 'openai',
        type: 'llm-openai',
        upstream: modelUrl,
        credential: `env:${DEMO_UPSTREAM_KEY_ENV}`,
        allow: ['group:ai-eng', 'user:bob'],
      },
      {
        name: 'anthropic',
        type: 'llm-anthropic',
        upstream: modelUrl,
        credential: `env:${DEMO_UPSTREAM_KEY_ENV}`,
        allow: ['group:ai-eng'],
      },
      // The stand-in model's own API as a plain HTTP API: what an agent's "http" tool would reach.
      {
        name: 'model-api',
        type: 'http',
        upstream: modelUrl,
        credential: `env:${DEMO_UPSTREAM_KEY_ENV}`,
        allow: ['group:ai-eng', 'user:bob'],
        rules: [{ methods: ['DELETE'], path: '/**', action: 'deny' }],
      },
      ...(options.toolsUrl
        ? [
            {
              name: 'tools',
              type: 'mcp',
              upstream: options.toolsUrl,
              credential: `env:${DEMO_TOOLS_KEY_ENV}`,
              allow: ['group:ai-eng', 'user:bob'],
            },
          ]
        : []),
      ...(options.postgresUrl
        ? [
            {
              name: 'postgres',
              type: 'postgres',
              listen: options.postgresListen ?? DEMO_PG_LISTEN,
              upstream: options.postgresUrl,
              credential: `env:${DEMO_PG_PASSWORD_ENV}`,
              allow: ['group:ai-eng', 'user:bob'],
              record_rows: 5,
              guardrails: { preset: 'strict' },
            },
          ]
        : []),
      ...(options.sshUpstream
        ? [
            {
              name: 'ssh',
              type: 'ssh',
              listen: options.sshListen ?? DEMO_SSH_LISTEN,
              upstream: options.sshUpstream,
              user: 'demo',
              credential: `env:${DEMO_SSH_KEY_ENV}`,
              allow: ['group:ai-eng', 'user:bob'],
            },
          ]
        : []),
    ],
    // Just-in-time approvals to try: bob's writes wait for alice, and bob may ask for "anthropic".
    policy: {
      rules: [
        {
          name: 'review-bob-writes',
          description: 'a contractor changing data needs a second pair of eyes',
          match: { principals: ['user:bob'], statement_kinds: ['INSERT', 'UPDATE', 'DELETE'] },
          action: 'review',
          reason: 'writes by contractors are reviewed',
          review: { approvers: ['group:ai-eng'], timeout: '10m' },
        },
        {
          name: 'review-bob-file-writes',
          description:
            'a contractor writing files through the demo tools needs approval, bound to the exact arguments',
          match: { principals: ['user:bob'], events: ['mcp.call'], tools: ['write_file'] },
          action: 'review',
          reason: 'file writes by contractors are reviewed',
          review: { approvers: ['group:ai-eng'], timeout: '10m' },
        },
        {
          name: 'no-power-off',
          description: 'nobody turns the host off from a shell',
          match: { events: ['ssh.exec', 'ssh.command'], tools: ['shutdown', 'reboot', 'halt', 'poweroff'] },
          action: 'deny',
          reason: 'power changes go through the change process',
        },
        {
          name: 'no-wipe',
          match: {
            events: ['ssh.exec', 'ssh.command'],
            pattern: '\\brm\\s+-[a-zA-Z]*[rR][a-zA-Z]*\\s+/(\\s|$|\\*)',
          },
          action: 'deny',
          reason: 'deleting the root directory is never right',
        },
        {
          name: 'review-restarts',
          match: { events: ['ssh.exec', 'ssh.command'], pattern: '^\\s*(sudo\\s+)?systemctl\\s+restart\\b' },
          action: 'review',
          reason: 'restarts are reviewed',
          review: { approvers: ['group:ai-eng'], timeout: '10m' },
        },
      ],
    },
    approvals: { access_requests: { approvers: ['group:ai-eng'], max_duration: '8h' } },
  });
  return { config, path: null, dataDir: resolve(config.data) };
}

const POSTGRES_HINT = `PostgreSQL through Vigil (a demo database; your token is the password):
  PGPASSWORD=${DEMO_TOKENS.alice} psql "host=127.0.0.1 port=${DEMO_PG_LISTEN.split(':')[1]} user=alice dbname=postgres"
  (guardrails preset strict: DROP, TRUNCATE, DELETE and UPDATE without WHERE on a column, DO blocks,
   COPY ... PROGRAM, server files, SET ROLE and the like are denied; see docs/postgres.md)
  As bob (token ${DEMO_TOKENS.bob}), INSERT, UPDATE and DELETE wait until alice approves:
    VIGIL_TOKEN=${DEMO_TOKENS.alice} npx vigil approvals
    VIGIL_TOKEN=${DEMO_TOKENS.alice} npx vigil approvals approve <ID> --reason "looks right"

`;

const sshHint = (
  listen: string,
) => `SSH through Vigil (a demo host serving a shell in a temporary directory; your token is the password):
  ssh -p ${listen.split(':')[1]} alice@127.0.0.1          # password: ${DEMO_TOKENS.alice}
  ssh -p ${listen.split(':')[1]} alice@127.0.0.1 'ls -la'  # a remote command, recorded with its exit status
  (denied: rm -rf /, shutdown and reboot; systemctl restart waits for approval; see docs/ssh.md)
  npx vigil replay <SESSION>                         # plays the terminal session back

`;

export function demoBanner(
  url: string,
  dataDir: string,
  withPostgres = false,
  sshListen: string | null = null,
): string {
  return `
Vigil is running with the demo setup (no vigil.yaml found), on ${url}
  stand-in model behind connections "openai" and "anthropic"; ledger in ${dataDir}

Try it:
  curl ${url}/c/openai/v1/chat/completions \\
    -H "Authorization: Bearer ${DEMO_TOKENS.alice}" -H "content-type: application/json" \\
    -d '{"model":"demo","messages":[{"role":"user","content":"Hello, Vigil"}]}'

  npx vigil sessions            # who did what
  npx vigil replay <SESSION>    # every prompt and response, in order

MCP tools (connection "tools": a demo server with file and math tools; see docs/mcp.md):
  any MCP client at ${url}/c/tools/mcp with "Authorization: Bearer ${DEMO_TOKENS.alice}",
  or a stdio client running: VIGIL_TOKEN=${DEMO_TOKENS.alice} npx vigil mcp-bridge tools --gateway ${url}
  npx vigil mcp tools --connection tools   # the pinned tool definitions

${withPostgres ? POSTGRES_HINT : ''}${sshListen ? sshHint(sshListen) : ''}Demo identities: alice (token ${DEMO_TOKENS.alice}, admin) and bob (token ${DEMO_TOKENS.bob}, user; not allowed on
"anthropic" unless alice approves: VIGIL_TOKEN=${DEMO_TOKENS.bob} npx vigil request-access anthropic --reason "...").
Stop with Ctrl-C.
`;
}
