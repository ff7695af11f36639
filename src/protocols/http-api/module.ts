// Any HTTP API as one module: `http` connections served under /c/<connection>/, requests read by
// policy as `METHOD /path` (action-facts.ts).
import type { ConnectionConfig } from '../../core/config.js';
import { VigilError } from '../../core/errors.js';
import type { HttpMount, ProtocolModule } from '../module.js';
import { describeHttpAction } from './action-facts.js';
import { HTTP_CONNECTION_TYPES, type HttpConnectionConfig } from './config.js';
import { HttpApiConnection } from './http-connection.js';
import { requestSample } from './request-sample.js';

export const httpApiModule: ProtocolModule = {
  name: 'http-api',
  connectionTypes: HTTP_CONNECTION_TYPES,
  actionEvents: ['http.request'],
  describeAction: describeHttpAction,
  samples: [requestSample],
  async start(ctx, connections) {
    const served = connections.map((c) => new HttpApiConnection(httpConnectionConfig(c), ctx));
    const http = new Map<string, HttpMount>(
      served.map((c) => [c.config.name, (req, res, path, search) => c.handle(req, res, path, search)]),
    );
    return {
      http,
      async close() {
        await Promise.all(served.map((c) => c.close()));
      },
    };
  },
};

function httpConnectionConfig(connection: ConnectionConfig): HttpConnectionConfig {
  const parsed = HTTP_CONNECTION_TYPES.http.safeParse(connection);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new VigilError(
      'config_invalid',
      `connection ${connection.name}: ${issue.path.join('.')}: ${issue.message}`,
    );
  }
  return parsed.data;
}
