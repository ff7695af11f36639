// Where SIEM forwarding stands: each sink's cursor, lag and last error (admins and auditors).
import type { Route } from '../admin-route.js';

export function siemRoutes(status: () => readonly object[]): Route[] {
  return [
    {
      method: 'GET',
      pattern: /^\/api\/siem$/,
      roles: ['admin', 'auditor'],
      async handle() {
        return { status: 200, body: { sinks: status() } };
      },
    },
  ];
}
