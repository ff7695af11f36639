// The list of subcommands. A command module exports `register(program, setExitCode)`.
import type { Command } from 'commander';
import { register as approvals } from './approvals.js';
import { register as demoModel } from './demo-model.js';
import { register as exportBundle } from './export.js';
import { register as keys } from './keys.js';
import { register as login } from './login.js';
import { register as maskTest } from './mask-test.js';
import { register as mcpBridge } from './mcp-bridge.js';
import { register as migrate } from './migrate.js';
import { register as policy } from './policy.js';
import { register as protocolCommands } from './protocol-commands.js';
import { register as purge } from './purge.js';
import { register as replay } from './replay.js';
import { register as rerun } from './rerun.js';
import { register as scim } from './scim.js';
import { register as sessions } from './sessions.js';
import { register as start } from './start.js';
import { register as token } from './token.js';
import { register as tree } from './tree.js';
import { register as users } from './users.js';
import { register as verify } from './verify.js';
import { register as witness } from './witness.js';

export type SetExitCode = (code: number) => void;
export type RegisterCommand = (program: Command, setExitCode: SetExitCode) => void;

export const COMMANDS: readonly RegisterCommand[] = [
  start,
  login,
  sessions,
  replay,
  tree,
  rerun,
  verify,
  exportBundle,
  migrate,
  purge,
  keys,
  token,
  users,
  scim,
  approvals,
  maskTest,
  policy,
  demoModel,
  mcpBridge,
  protocolCommands,
  witness,
];
