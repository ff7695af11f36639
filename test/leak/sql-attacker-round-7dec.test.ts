// Passwords that came back in results through shapes the masking did not follow until 7 December,
// sent through the gateway to the real servers with their official clients: a cursor declared or
// fetched from beside other statements of one text (`BEGIN; DECLARE c …`, `SELECT 1; FETCH …`),
// SQL text the server answers with (a view's definition, a prepared statement's text, a plan's
// filter through a view, MySQL's `SHOW CREATE VIEW` and `information_schema.VIEWS`), and a column's
// statistics (`pg_stats.most_common_vals`), and a secret column's DEFAULT (in the statement, and read
// back from `SHOW CREATE TABLE`). Each was recorded in clear, and each is named when it
// reaches the data directory. Ordinary results beside them stay readable.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { mariadbUnavailable } from '../support/mariadb-server.js';
import { recordedOf, startMariadbLeakGateway, startPostgresLeakGateway } from './database-gateways.js';
import { leakedNames } from './logged-gateway.js';

const WITHHELD_CELL = '(withheld: derived from a secret column)';
const WITHHELD_LITERAL = '(withheld: bound to a secret column)';

const PG = {
  declareAfterBegin: 'quartz mitten falcon',
  fetchAfterSelect: 'copper lagoon thistle',
  prepared: 'velvet acorn harbor',
  viewDefinition: 'saffron kettle meadow',
  explainView: 'hollow prism tangerine',
  statistics: 'marble sparrow orchard',
  columnDefault: 'tundra pickle bonfire',
};
const MY = {
  showCreateView: 'drift lantern pebble',
  viewsTable: 'ivory canyon whistle',
  columnDefault: 'nimbus walnut grotto',
  alterDefault: 'fennel brook saddle',
};

test('PostgreSQL: cursors beside other statements, SQL text in cells, column statistics and a DEFAULT are withheld', {
  timeout: 120_000,
}, async () => {
  const db = await startPostgresLeakGateway(
    'vigil_leak_sql_7dec',
    `CREATE TABLE users (id int, name text, password text);
     CREATE TABLE products (id int, name text);
     INSERT INTO users VALUES (1, 'ann', '${PG.declareAfterBegin}'), (2, 'bob', '${PG.fetchAfterSelect}');
     INSERT INTO users SELECT g, 'n' || g, '${PG.statistics}' FROM generate_series(10, 60) g;
     INSERT INTO products VALUES (1, 'lamp');
     ANALYZE users`,
  );
  try {
    const c = await db.connect();
    await c.query('BEGIN; DECLARE c1 CURSOR FOR SELECT name, password AS q FROM users WHERE id = 1');
    const fetched = await c.query('FETCH ALL FROM c1');
    // The client gets the values; only the record withholds them.
    assert.deepEqual(fetched.rows, [{ name: 'ann', q: PG.declareAfterBegin }]);
    await c.query('DECLARE c2 CURSOR FOR SELECT name, password AS q FROM users WHERE id = 2');
    await c.query('SELECT 1; FETCH ALL FROM c2');
    await c.query('BEGIN; DECLARE c3 CURSOR FOR SELECT name FROM products; FETCH ALL FROM c3');
    await c.query('COMMIT');
    await c.query(`PREPARE addu AS INSERT INTO users (name, password) VALUES ($1, '${PG.prepared}')`);
    await c.query('SELECT name, statement FROM pg_prepared_statements');
    await c.query(`CREATE VIEW v AS SELECT name FROM users WHERE password <> '${PG.viewDefinition}'`);
    const definition = await c.query("SELECT pg_get_viewdef('v') AS d");
    assert.ok(String(definition.rows[0].d).includes(PG.viewDefinition));
    await c.query("SELECT definition FROM pg_views WHERE viewname = 'v'");
    await c.query(`CREATE VIEW v2 AS SELECT name FROM users WHERE password <> '${PG.explainView}'`);
    await c.query('EXPLAIN (VERBOSE) SELECT * FROM v2');
    const stats = await c.query(
      "SELECT attname, null_frac, most_common_vals FROM pg_stats WHERE tablename = 'users' AND attname = 'password'",
    );
    assert.ok(JSON.stringify(stats.rows).includes(PG.statistics));
    await c.query(`CREATE TABLE accounts (id int, password text DEFAULT '${PG.columnDefault}')`);
    await c.end();
    const results = await recordedOf(db.gateway, 'pg', 'db.result');
    await db.gateway.close();
    assert.deepEqual(leakedNames(db.dataDir, PG), []);
    const joined = results.join('\n');
    // A cursor over an ordinary column keeps its values; a definition keeps its words; a
    // statistics row keeps the column it describes.
    assert.ok(joined.includes('"lamp"'), joined);
    assert.ok(joined.includes('SELECT users.name') && joined.includes(WITHHELD_LITERAL), joined);
    assert.ok(joined.includes('"password"') && joined.includes(WITHHELD_CELL), joined);
  } finally {
    await db.close();
  }
});

test('MySQL: a view definition read back (SHOW CREATE VIEW, information_schema.VIEWS) and a DEFAULT are withheld', {
  timeout: 180_000,
  skip: mariadbUnavailable() ?? false,
}, async () => {
  const d = 'vigil_leak_sql_7dec';
  const db = await startMariadbLeakGateway(
    d,
    `CREATE TABLE \`${d}\`.users (id int, name text, password text)`,
  );
  try {
    const c = await db.connect();
    await c.query(`CREATE VIEW v AS SELECT name FROM users WHERE password <> '${MY.showCreateView}'`);
    const [shown] = await c.query('SHOW CREATE VIEW v');
    assert.ok(JSON.stringify(shown).includes(MY.showCreateView));
    await c.query(`CREATE VIEW v3 AS SELECT name FROM users WHERE password <> '${MY.viewsTable}'`);
    await c.query("SELECT VIEW_DEFINITION FROM information_schema.VIEWS WHERE TABLE_NAME = 'v3'");
    await c.query(`CREATE TABLE accounts (id int, password varchar(40) DEFAULT '${MY.columnDefault}')`);
    await c.query(`ALTER TABLE accounts MODIFY password varchar(40) DEFAULT '${MY.alterDefault}'`);
    await c.query('SHOW CREATE TABLE accounts');
    await c.end();
    const results = await recordedOf(db.gateway, 'my', 'db.result');
    await db.gateway.close();
    assert.deepEqual(leakedNames(db.dataDir, MY), []);
    const joined = results.join('\n');
    assert.ok(joined.includes('`users`.`password` <>') && joined.includes(WITHHELD_LITERAL), joined);
  } finally {
    await db.close();
  }
});
