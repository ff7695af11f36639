// Where `vigil login` keeps the Vigil token: $XDG_CONFIG_HOME/vigil/token (else ~/.config/vigil/token),
// the directory 0700 and the file 0600, written whole through a rename so a reader never sees half.
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { VigilError } from '../core/errors.js';

export interface StoredToken {
  readonly gateway: string;
  readonly token: string;
  readonly token_id: string | null;
  readonly subject: string;
  readonly expires_at: string;
}

type Env = Readonly<Record<string, string | undefined>>;

export function tokenFilePath(env: Env = process.env): string {
  const base = env.XDG_CONFIG_HOME?.startsWith('/')
    ? env.XDG_CONFIG_HOME
    : join(env.HOME ?? homedir(), '.config');
  return join(base, 'vigil', 'token');
}

export function saveToken(stored: StoredToken, env: Env = process.env): string {
  const file = tokenFilePath(env);
  const dir = join(file, '..');
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  // mkdir leaves an existing directory's mode alone: tighten it.
  chmodSync(dir, 0o700);
  const temp = `${file}.${process.pid}.tmp`;
  writeFileSync(temp, `${JSON.stringify(stored, null, 2)}\n`, { mode: 0o600 });
  chmodSync(temp, 0o600);
  renameSync(temp, file);
  return file;
}

/** The stored token, or null when there is none. */
export function readToken(env: Env = process.env): StoredToken | null {
  let text: string;
  try {
    text = readFileSync(tokenFilePath(env), 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
  try {
    const parsed = JSON.parse(text) as Partial<StoredToken>;
    if (typeof parsed.token !== 'string' || typeof parsed.gateway !== 'string')
      throw new Error('fields missing');
    return parsed as StoredToken;
  } catch (err) {
    throw new VigilError(
      'config_invalid',
      `the stored token at ${tokenFilePath(env)} is damaged: sign in again`,
      {
        cause: err,
      },
    );
  }
}

/** Removes the stored token; false when there was none. */
export function deleteToken(env: Env = process.env): boolean {
  const file = tokenFilePath(env);
  if (!existsSync(file)) return false;
  rmSync(file, { force: true });
  return true;
}
