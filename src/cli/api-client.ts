// Commands that act as a person (approving, requesting access) go through the gateway's API with
// that person's token, so the gateway knows who decided: `vigil login` stores it, or VIGIL_TOKEN
// or --token gives it. The gateway is --gateway, $VIGIL_GATEWAY, the one signed in to, or the
// configured listen address.
import type { Command } from 'commander';
import { ERROR_CODES, type ErrorCode, VigilError } from '../core/errors.js';
import { readToken } from '../identity/oidc-token-file.js';
import { loadCliConfig } from './context.js';

export interface ApiOptions {
  readonly gateway?: string;
  readonly token?: string;
}

export function addApiOptions(command: Command): Command {
  return command
    .option(
      '--gateway <url>',
      'the gateway URL (default: $VIGIL_GATEWAY, the one signed in to, or the configured listen address)',
    )
    .option('--token <token>', 'a Vigil token (default: $VIGIL_TOKEN or the one `vigil login` stored)');
}

export class ApiClient {
  readonly #base: string;
  readonly #token: string;

  constructor(base: string, token: string) {
    this.#base = base.replace(/\/+$/, '');
    this.#token = token;
  }

  static from(program: Command, options: ApiOptions): ApiClient {
    const stored = readToken();
    const token = options.token || process.env.VIGIL_TOKEN || stored?.token;
    if (!token)
      throw new VigilError('auth_missing', 'no token: sign in with `vigil login`, or set VIGIL_TOKEN');
    const gateway =
      options.gateway ||
      process.env.VIGIL_GATEWAY ||
      stored?.gateway ||
      `http://${loadCliConfig(program.opts()).config.listen}`;
    return new ApiClient(gateway, token);
  }

  async call<T>(method: 'GET' | 'POST' | 'DELETE', path: string, body?: object): Promise<T> {
    let res: Response;
    try {
      res = await fetch(this.#base + path, {
        method,
        headers: {
          authorization: `Bearer ${this.#token}`,
          ...(body ? { 'content-type': 'application/json' } : {}),
        },
        ...(body ? { body: JSON.stringify(body) } : {}),
      });
    } catch (err) {
      throw new VigilError(
        'gateway_unreachable',
        `cannot reach the gateway at ${this.#base}: ${(err as Error).message}`,
      );
    }
    const text = await res.text();
    let parsed: unknown = null;
    try {
      parsed = text ? JSON.parse(text) : null;
    } catch {
      parsed = null;
    }
    if (!res.ok) {
      const error = (parsed as { error?: { code?: string; message?: string } } | null)?.error;
      const code = error?.code && error.code in ERROR_CODES ? (error.code as ErrorCode) : 'internal';
      throw new VigilError(code, error?.message ?? `the gateway answered ${res.status}`);
    }
    return parsed as T;
  }
}
