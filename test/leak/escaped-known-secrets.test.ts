// A credential Vigil holds is masked wherever it appears, but it was looked for only as written (and
// URL-encoded, and in base64). One with a quote or a backslash, as generated passwords often have,
// takes other spellings on the way: Vigil's log lines are masked after pino serialized them, so it
// is `\"` there; JSON text in a cell or a prompt escapes it the same way; a SQL literal doubles its
// `'`. Each spelling reached the log or the ledger in clear.
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { test } from 'node:test';
import pg from 'pg';
import { createMasker, logLineMasker } from '../../src/mask/index.js';
import { createLogger } from '../../src/server/logger.js';
import { TOKENS } from '../support/gateway.js';
import { createScratchDatabase, startTestPostgres, urlWithRolePassword } from '../support/postgres-server.js';
import { leaksIn, startLoggedGateway } from './logged-gateway.js';

// Words only between the quotes and backslash: no rule but the known secret can find it.
const SECRET = `Qorchard"Xlantern'Zharbor\\Wmeadow`;
const PIECES = ['Qorchard', 'Xlantern', 'Zharbor', 'Wmeadow'];

test('a known secret with a quote or backslash is masked in Vigil log lines, JSON-quoted once or twice', () => {
  const masker = createMasker({
    fingerprintKey: Buffer.alloc(32, 3),
    knownSecrets: [{ value: SECRET, label: 'pg-prod' }],
  });
  let written = '';
  const sink = new Writable({
    write(chunk, _encoding, done) {
      written += String(chunk);
      done();
    },
  });
  const logger = createLogger('debug', logLineMasker(masker), sink);
  logger.warn({ err: `the upstream refused the password ${SECRET}` }, 'postgres upstream connection failed');
  logger.debug({ body: JSON.stringify({ note: SECRET }) }, 'upstream answer');
  logger.error({ err: new Error(`connect failed: ${SECRET}`) }, 'mcp request failed');
  const lines = written.trim().split('\n');
  assert.equal(lines.length, 3);
  for (const line of lines) {
    JSON.parse(line);
    assert.match(line, /\[MASKED:known-secret:[0-9a-f]{6}\]/);
    for (const piece of PIECES) assert.ok(!line.includes(piece), line);
  }
});

test('PostgreSQL: a known secret quoted in a SQL literal or escaped in a JSON cell is masked', {
  timeout: 120_000,
}, async () => {
  const server = await startTestPostgres();
  // A role whose password is the secret, so the injected credential signs in on a server that
  // checks passwords (embedded) as on one that trusts loopback.
  const url = await urlWithRolePassword(
    server,
    await createScratchDatabase(server, 'vigil_leak_escaped_known'),
    'vigil_leak_escaped_role',
    SECRET,
  );
  process.env.VIGIL_TEST_ESCAPED_SECRET = SECRET;
  const { gateway, dataDir, listener } = await startLoggedGateway({
    connections: [
      {
        name: 'pg',
        type: 'postgres',
        listen: '127.0.0.1:0',
        upstream: url,
        credential: 'env:VIGIL_TEST_ESCAPED_SECRET',
        allow: ['*'],
        record_rows: 10,
      },
    ],
  });
  try {
    const client = new pg.Client({ ...listener('pg'), user: 'alice', database: 'x', password: TOKENS.alice });
    await client.connect();
    const literal = SECRET.replaceAll("'", "''");
    const plain = await client.query(`SELECT '${literal}' AS note`);
    assert.equal(plain.rows[0].note, SECRET);
    const json = await client.query(`SELECT json_build_object('k', '${literal}')::text AS doc`);
    assert.ok(String(json.rows[0].doc).includes('\\"Xlantern'));
    await client.end();
    await gateway.close();
    assert.deepEqual(leaksIn(dataDir, PIECES), []);
  } finally {
    await gateway.close().catch(() => undefined);
    await server.close();
  }
});
