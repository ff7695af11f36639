// The list of subcommands. A command module exports `register(program, setExitCode)`.
import type { Command } from 'commander';
import { register as login } from './login.js';
import { register as replay } from './replay.js';
import { register as sessions } from './sessions.js';
import { register as start } from './start.js';
import { register as token } from './token.js';
import { register as users } from './users.js';

export type SetExitCode = (code: number) => void;
export type RegisterCommand = (program: Command, setExitCode: SetExitCode) => void;

export const COMMANDS: readonly RegisterCommand[] = [start, login, sessions, replay, token, users];
