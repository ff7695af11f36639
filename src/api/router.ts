// A small route table for the admin API: each route names the roles that may call it. Every call
// is authenticated and recorded (admin.action) by AdminApi; routes only do their job.
import type { IncomingMessage } from 'node:http';
import type { JsonObject } from '../core/events.js';
import { decodePathSegment } from '../http/request-path.js';
import type { AuthenticatedIdentity } from '../identity/authenticator.js';

export const API_ROLES = ['admin', 'auditor', 'user'] as const;
export type ApiRole = (typeof API_ROLES)[number];

export interface RouteContext {
  readonly caller: AuthenticatedIdentity;
  readonly params: readonly string[];
  readonly query: URLSearchParams;
  readonly body: JsonObject;
  readonly req: IncomingMessage;
}

export interface RouteResult {
  readonly status: number;
  readonly body: unknown;
}

export interface Route {
  readonly method: 'GET' | 'POST' | 'DELETE';
  readonly pattern: RegExp;
  /** Who may call it: a caller needs one of these roles ('user' = any authenticated caller). */
  readonly roles: readonly ApiRole[];
  handle(ctx: RouteContext): Promise<RouteResult>;
}

export function hasRole(caller: AuthenticatedIdentity, roles: readonly ApiRole[]): boolean {
  return roles.includes('user') || roles.some((r) => caller.roles.includes(r));
}

export function isPrivileged(caller: AuthenticatedIdentity): boolean {
  return caller.roles.includes('admin') || caller.roles.includes('auditor');
}

/** Throws uri_malformed when a matched path parameter is not valid percent-encoding. */
export function matchRoute(
  routes: readonly Route[],
  method: string,
  path: string,
): { route: Route; params: string[] } | 'method' | null {
  let pathMatched = false;
  for (const route of routes) {
    const m = route.pattern.exec(path);
    if (!m) continue;
    pathMatched = true;
    if (route.method === method) return { route, params: m.slice(1).map((p) => decodePathSegment(p ?? '')) };
  }
  return pathMatched ? 'method' : null;
}
