// The subcommands as `vigil --help` lists them, and where each is defined, so that `vigil` loads only
// the module of the command it runs. Loading every command module at start (config schema, stores,
// protocol modules, SDKs) made `vigil --version` and `vigil --help` take seconds on a loaded machine.
// The names, arguments and descriptions here are what the modules register; test/cli/lazy-commands
// checks that the help built from them is the modules' own, byte for byte. The protocol modules'
// commands (`vigil <protocol> …`) are not named here: the help loads the protocol registry for them.
import type { RegisterCommand } from './index.js';

/** A top-level command as the help's command list shows it. */
export interface CommandSummary {
  readonly name: string;
  /** Its arguments as the usage shows them (`<session>`, `[file]`). */
  readonly args?: readonly string[];
  /** Whether it takes options (`[options]` in the list). */
  readonly options?: boolean;
  readonly description: string;
}

/** One command module: the top-level commands it registers, and how to load it. */
export interface CatalogEntry {
  /**
   * Null for the protocol modules' commands: the CLI names no protocol, so their names are known
   * only from the protocol registry, once it is loaded.
   */
  readonly commands: readonly CommandSummary[] | null;
  readonly load: () => Promise<{ readonly register: RegisterCommand }>;
}

/** In the order of the eager list (index.ts), which is the order of the help. */
export const CATALOG: readonly CatalogEntry[] = [
  {
    commands: [
      {
        name: 'start',
        options: true,
        description: 'start the gateway (with no vigil.yaml: an offline demo setup with a stand-in model)',
      },
    ],
    load: () => import('./start.js'),
  },
  {
    commands: [
      {
        name: 'login',
        options: true,
        description: 'sign in with the OpenID or SAML provider and store a Vigil token for this user',
      },
      {
        name: 'logout',
        description: 'forget the stored Vigil token (it stays valid until it expires unless revoked)',
      },
    ],
    load: () => import('./login.js'),
  },
  {
    commands: [{ name: 'sessions', options: true, description: 'list recorded sessions' }],
    load: () => import('./sessions.js'),
  },
  {
    commands: [
      {
        name: 'replay',
        options: true,
        args: ['<session>'],
        description:
          'play a terminal session, or show every prompt, response, statement and command of a session',
      },
    ],
    load: () => import('./replay.js'),
  },
  {
    commands: [
      {
        name: 'tree',
        options: true,
        args: ['<session>'],
        description: 'rebuild the reasoning tree (Tree-of-Thoughts, chain of thought) of a session',
      },
    ],
    load: () => import('./tree.js'),
  },
  {
    commands: [
      {
        name: 'rerun',
        options: true,
        args: ['<session>'],
        description:
          "serve a session's recorded model answers (and MCP tool results) on a local endpoint, to re-run its client without a model",
      },
    ],
    load: () => import('./rerun.js'),
  },
  {
    commands: [
      {
        name: 'verify',
        options: true,
        description: 'verify the ledger (or an export bundle) and name the first bad event',
      },
    ],
    load: () => import('./verify.js'),
  },
  {
    commands: [
      {
        name: 'export',
        options: true,
        args: ['<session>'],
        description: 'write a session with its proofs, signed checkpoint and public key to a bundle file',
      },
    ],
    load: () => import('./export.js'),
  },
  {
    commands: [
      {
        name: 'migrate',
        options: true,
        description:
          'create or update the schema of the configured store (the gateway also does it at start)',
      },
    ],
    load: () => import('./migrate.js'),
  },
  {
    commands: [
      {
        name: 'purge',
        options: true,
        description:
          'drop the payloads of events recorded before a date, recording the purge first (hashes stay: the ledger still verifies)',
      },
    ],
    load: () => import('./purge.js'),
  },
  {
    commands: [{ name: 'keys', description: 'the keys that sign ledger checkpoints, and the SSH host key' }],
    load: () => import('./keys.js'),
  },
  {
    commands: [{ name: 'token', description: 'service-account tokens and static token helpers' }],
    load: () => import('./token.js'),
  },
  {
    commands: [{ name: 'users', description: 'offboarding: disable and enable identities' }],
    load: () => import('./users.js'),
  },
  {
    commands: [{ name: 'scim', description: 'SCIM provisioning from an identity provider (Okta, Entra ID)' }],
    load: () => import('./scim.js'),
  },
  {
    commands: [
      { name: 'approvals', description: 'held actions and access requests awaiting review' },
      {
        name: 'request-access',
        options: true,
        args: ['<connection>'],
        description:
          'ask for time-bound access to a connection; reviewers approve it with `vigil approvals approve`',
      },
      { name: 'grants', description: 'time-bound access grants' },
      {
        name: 'break-glass',
        options: true,
        args: ['<connection>'],
        description:
          'emergency access without waiting for approval: recorded, announced and reviewed afterwards',
      },
    ],
    load: () => import('./approvals.js'),
  },
  {
    commands: [
      {
        name: 'mask-test',
        options: true,
        args: ['[file]'],
        description: 'print a file (or standard input) masked, with a table of what was found',
      },
    ],
    load: () => import('./mask-test.js'),
  },
  {
    commands: [{ name: 'policy', description: 'policy rules: try them before relying on them' }],
    load: () => import('./policy.js'),
  },
  {
    commands: [
      {
        name: 'demo-model',
        options: true,
        description: 'run the stand-in model (OpenAI and Anthropic wire formats, deterministic or scripted)',
      },
    ],
    load: () => import('./demo-model.js'),
  },
  {
    commands: [
      {
        name: 'mcp-bridge',
        options: true,
        args: ['<connection>'],
        description: 'serve an MCP connection of the gateway on stdio (for stdio-only MCP clients)',
      },
    ],
    load: () => import('./mcp-bridge.js'),
  },
  { commands: null, load: () => import('./protocol-commands.js') },
  {
    commands: [
      {
        name: 'witness',
        description: 'a standalone transparency-log witness that cosigns consistent ledger checkpoints',
      },
    ],
    load: () => import('./witness.js'),
  },
];

/** The module that registers the top-level command `name`, if the catalog names it. */
export function catalogEntryOf(name: string): CatalogEntry | undefined {
  return CATALOG.find((entry) => entry.commands?.some((c) => c.name === name));
}
