// PostgreSQL as a protocol module: a port of its own per connection (the server binds it and hands
// over each socket), the handshake and proxy of this folder, SQL guardrails for the policy stage,
// and `vigil policy test --sql`.
import type { Socket } from 'node:net';
import { createSecureContext } from 'node:tls';
import type { ConnectionConfig } from '../../core/config.js';
import { describeQuery } from '../../core/db-action-facts.js';
import { toVigilError } from '../../core/errors.js';
import type { JsonObject } from '../../core/events.js';
import { SqlGuardrails, type SqlGuardrailsConfig } from '../../policy/sql-guardrails.js';
import type { ProtocolModule } from '../module.js';
import { CancelKeys } from './cancel-keys.js';
import { CANCEL_REQUEST } from './cancel-request-head.js';
import { acceptClient } from './client-handshake.js';
import { POSTGRES_CONNECTION_TYPES, type PostgresConnectionConfig } from './config.js';
import { simpleQueryPayload } from './query-payloads.js';
import { SqlClassifier } from './sql-classifier.js';
import { UpstreamPool } from './upstream-pool.js';
import { errorResponse } from './wire-writer.js';

const asPostgres = (c: ConnectionConfig) => c as PostgresConnectionConfig;

/**
 * What PostgreSQL answers past max_connections (SQLSTATE 53300, too_many_connections), sent as soon
 * as the client connects, before its first packet is read: nothing is spent on a client turned away.
 */
const TOO_MANY_LOGINS = errorResponse({
  severity: 'FATAL',
  code: '53300',
  message: 'vigil: too many connections are logging in; try again later',
});

export const postgresModule: ProtocolModule = {
  name: 'postgres',
  connectionTypes: POSTGRES_CONNECTION_TYPES,
  actionEvents: ['db.query'],
  sqlReading: 'standard',
  describeAction: (type, payload) => (type === 'db.query' ? describeQuery(payload) : null),
  guards(connections) {
    const rules = new Map<string, SqlGuardrailsConfig>();
    for (const c of connections) rules.set(c.name, asPostgres(c).guardrails);
    return rules.size > 0 ? [new SqlGuardrails(rules)] : [];
  },
  samples: [
    {
      option: 'sql',
      description: 'a statement on a PostgreSQL connection (a db.query)',
      async build(_connection, sql) {
        return { type: 'db.query', payload: await classifiedQuery(sql) };
      },
    },
  ],
  async completeAction(type, payload) {
    if (type !== 'db.query' || payload.classification !== undefined || typeof payload.statement !== 'string')
      return payload;
    return { ...payload, ...(await classifiedQuery(payload.statement)) };
  },
  async start(ctx, connections) {
    const classifier = await SqlClassifier.create();
    const cancelKeys = new CancelKeys(ctx.logger);
    const pools: UpstreamPool[] = [];
    const tcp = connections.map((c) => {
      const config = asPostgres(c);
      const secureContext = config.tls
        ? createSecureContext({
            cert: ctx.resolveSecret(config.tls.cert),
            key: ctx.resolveSecret(config.tls.key),
          })
        : null;
      const pool = new UpstreamPool({
        maxIdle: config.pool.max_idle,
        maxLifetimeMs: config.pool.max_lifetime,
        idleTimeoutMs: config.pool.idle_timeout,
        resetQuery: config.pool.reset_query,
      });
      pools.push(pool);
      const connection = {
        config,
        module: ctx,
        credential: ctx.credential(config.name),
        secureContext,
        classifier,
        cancelKeys,
        pool,
      };
      return {
        connection: config.name,
        listen: config.listen,
        // Settles once the client is in (its proxy started) or refused.
        accept(socket: Socket) {
          return acceptClient(socket, connection).catch((err: unknown) => {
            ctx.logger.warn(
              { connection: config.name, err: toVigilError(err).message },
              'postgres client failed',
            );
            socket.destroy();
          });
        },
        tooManyLogins: TOO_MANY_LOGINS,
        // A cancel is still served while the login slots are full (acceptClient ends it without a login).
        quickRequest: CANCEL_REQUEST,
      };
    });
    return {
      tcp,
      close: async () => {
        for (const pool of pools) pool.close();
      },
    };
  },
};

/** The payload the adapter submits for a simple query (query-payloads.ts), classified by the same parser. */
async function classifiedQuery(sql: string): Promise<JsonObject> {
  const classifier = await SqlClassifier.create(1);
  return simpleQueryPayload(sql, classifier.classify(sql));
}
