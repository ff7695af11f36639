// MySQL and MariaDB as a protocol module: a port of its own per connection (the server binds it
// and hands over each socket), the handshake and proxy of this folder, SQL guardrails for the
// policy stage (classified with node-sql-parser in its MySQL mode), and `vigil policy test --sql`.
import type { Socket } from 'node:net';
import { createSecureContext } from 'node:tls';
import type { ConnectionConfig } from '../../core/config.js';
import { describeQuery } from '../../core/db-action-facts.js';
import { toVigilError } from '../../core/errors.js';
import { SqlGuardrails, type SqlGuardrailsConfig } from '../../policy/sql-guardrails.js';
import type { ProtocolModule } from '../module.js';
import { generateRsaKeyPair } from './auth-crypto.js';
import { acceptClient } from './client-handshake.js';
import { MYSQL_CONNECTION_TYPES, type MysqlConnectionConfig } from './config.js';
import { ConnectionIds } from './connection-ids.js';
import type { ServerGreeting } from './handshake-messages.js';
import { packet } from './packet-writer.js';
import { ParserPool } from './parser-pool.js';
import { queryPayload } from './query-payloads.js';
import { classifyMysql } from './sql-classifier.js';
import { parseUpstreamUrl, probeUpstream } from './upstream-connect.js';
import { XaOwners } from './xa-transactions.js';

const asMysql = (c: ConnectionConfig) => c as MysqlConnectionConfig;

/**
 * What MariaDB answers past max_connections (error 1040, ER_CON_COUNT_ERROR), as the first packet
 * a client turned away receives, before a greeting.
 */
const TOO_MANY_LOGINS = packet(
  0,
  Buffer.concat([
    Buffer.from([0xff, 1040 & 0xff, 1040 >> 8]),
    Buffer.from('vigil: too many connections are logging in; try again later', 'utf8'),
  ]),
);

export const mysqlModule: ProtocolModule = {
  name: 'mysql',
  connectionTypes: MYSQL_CONNECTION_TYPES,
  actionEvents: ['db.query'],
  sqlReading: 'mysql',
  describeAction: (type, payload) => (type === 'db.query' ? describeQuery(payload) : null),
  guards(connections) {
    const rules = new Map<string, SqlGuardrailsConfig>();
    for (const c of connections) rules.set(c.name, asMysql(c).guardrails);
    return rules.size > 0 ? [new SqlGuardrails(rules)] : [];
  },
  samples: [
    {
      option: 'sql',
      description: 'a statement on a MySQL connection (a db.query)',
      async build(_connection, sql) {
        return { type: 'db.query', payload: queryPayload(sql, classifyMysql(sql).statements, null) };
      },
    },
  ],
  async completeAction(type, payload) {
    if (type !== 'db.query' || payload.classification !== undefined || typeof payload.statement !== 'string')
      return payload;
    return {
      ...payload,
      classification: queryPayload(payload.statement, classifyMysql(payload.statement).statements, null)
        .classification,
    };
  },
  async start(ctx, connections) {
    if (connections.length === 0) return { tcp: [], close: async () => undefined };
    // Statements are parsed in worker threads within a time limit (parser-pool.ts), shared by every
    // MySQL connection; each loads the parser now, not on its first client's first statement.
    const parsers = new ParserPool();
    // Only clients without TLS use the key, to hide their token: one per start is enough.
    const rsa = generateRsaKeyPair();
    const tcp = connections.map((c) => {
      const config = asMysql(c);
      const secureContext = config.tls
        ? createSecureContext({
            cert: ctx.resolveSecret(config.tls.cert),
            key: ctx.resolveSecret(config.tls.key),
          })
        : null;
      const url = parseUpstreamUrl(config.upstream);
      const target = {
        ...url,
        password: ctx.credential(config.name) ?? url.password,
        tls: config.upstream_tls,
        ca: config.upstream_ca ? ctx.resolveSecret(config.upstream_ca) : null,
      };
      // Probed once, when the first client arrives; a failed probe is tried again by the next one.
      let greeting: Promise<ServerGreeting> | null = null;
      const connection = {
        config,
        connectionIds: new ConnectionIds(),
        xaOwners: new XaOwners(),
        parsers,
        module: ctx,
        target,
        secureContext,
        rsa,
        greeting: () => {
          greeting ??= probeUpstream(target).catch((err: unknown) => {
            greeting = null;
            throw err;
          });
          return greeting;
        },
      };
      return {
        connection: config.name,
        listen: config.listen,
        accept(socket: Socket) {
          return acceptClient(socket, connection).catch((err: unknown) => {
            ctx.logger.warn(
              { connection: config.name, err: toVigilError(err).message },
              'mysql client failed',
            );
            socket.destroy();
          });
        },
        tooManyLogins: TOO_MANY_LOGINS,
      };
    });
    return { tcp, close: () => parsers.close() };
  },
};
