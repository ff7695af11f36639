// What an admin API route is (a method and path pattern, the roles that may call it, its handler),
// and the role checks. Every call is authenticated and recorded (admin.action) by AdminApi; routes
// only do their job. Finding the route for a request is src/http/router.ts's.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { JsonObject } from '../core/events.js';
import type { RoutePattern } from '../http/router.js';
import type { AuthenticatedIdentity } from '../identity/authenticator.js';

export const API_ROLES = ['admin', 'auditor', 'user'] as const;
export type ApiRole = (typeof API_ROLES)[number];

export interface RouteContext {
  readonly caller: AuthenticatedIdentity;
  readonly params: readonly string[];
  readonly query: URLSearchParams;
  readonly body: JsonObject;
  readonly req: IncomingMessage;
  /**
   * Masks text a caller typed (a reason) as the ledger masks payloads, the secrets the gateway holds
   * included: what a route stores or answers holds no key someone quoted.
   */
  readonly maskText: (text: string) => string;
}

export interface RouteResult {
  readonly status: number;
  readonly body: unknown;
  /**
   * A server-sent-events stream instead of a JSON body: called once the call is recorded, with the
   * response's headers already sent; it writes events until the client goes away. `caller`
   * authenticates the request's credential again (throwing once it is revoked, expired or its
   * identity disabled, with the groups SCIM says now), so a stream never outlives the access it
   * was opened with.
   */
  readonly stream?: (res: ServerResponse, caller: () => Promise<AuthenticatedIdentity>) => void;
}

export interface Route extends RoutePattern {
  readonly method: 'GET' | 'POST' | 'DELETE';
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

/**
 * Whether the caller's credential reaches a connection. A token limited to connections (a service
 * account's) reaches their recordings, requests and grants through the API too, never another's:
 * the same account's token for another connection may have recorded things this one must not read.
 */
export function inScope(caller: AuthenticatedIdentity, connection: string): boolean {
  return caller.scope === null || caller.scope.includes(connection);
}
