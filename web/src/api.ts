// The console's only way to the gateway: same-origin fetches to the admin API. The browser sends
// the console's session cookie by itself; every request also carries `x-vigil-console: 1`, which
// a cross-site form cannot send, so the gateway accepts a cookie-authenticated POST or DELETE only
// from this page (docs/console.md).
import { inertLine } from './inert.js';

export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  constructor(status: number, code: string, message: string) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

export const CONSOLE_HEADER = { 'x-vigil-console': '1' } as const;

async function errorOf(res: Response): Promise<ApiError> {
  try {
    const body = (await res.json()) as { error?: { code?: string; message?: string } };
    return new ApiError(res.status, body.error?.code ?? 'unknown', body.error?.message ?? res.statusText);
  } catch {
    return new ApiError(res.status, 'unknown', res.statusText);
  }
}

export async function apiGet<T>(path: string, signal?: AbortSignal): Promise<T> {
  const res = await fetch(path, {
    headers: { ...CONSOLE_HEADER, accept: 'application/json' },
    credentials: 'same-origin',
    ...(signal ? { signal } : {}),
  });
  if (!res.ok) throw await errorOf(res);
  return (await res.json()) as T;
}

export async function apiSend<T>(method: 'POST' | 'DELETE', path: string, body: object = {}): Promise<T> {
  const res = await fetch(path, {
    method,
    headers: { ...CONSOLE_HEADER, accept: 'application/json', 'content-type': 'application/json' },
    credentials: 'same-origin',
    body: JSON.stringify(body),
  });
  if (!res.ok) throw await errorOf(res);
  return (await res.json()) as T;
}

/**
 * The message a page shows for a failed call: the gateway's code and its words, made inert (the
 * words may name an identity or quote a reason, recorded text: a bidi control in a name would
 * reorder the line, a line feed or an escape would be drawn as it is). Every page draws it as text.
 */
export function describeError(err: unknown): string {
  if (err instanceof ApiError) return inertLine(`${err.code}: ${err.message}`);
  return inertLine(err instanceof Error ? err.message : String(err));
}
