// Passwords kept about a column rather than in its rows, read back until 7 December in clear: a
// secret column's DEFAULT from the catalogs (`information_schema.columns.column_default`,
// `pg_get_expr(adbin, adrelid)` over `pg_attrdef`, the value `pg_attribute.attmissingval` keeps
// for rows older than an added column, psql's `\d`, MariaDB's `information_schema.COLUMNS`,
// `SHOW COLUMNS`, `SHOW FULL FIELDS`, `DESCRIBE` and `DESC`), and a column's statistics read
// through what the connection made from them (a view, a table, a statement prepared over them, a
// function whose body reads them, MariaDB's `mysql.column_stats` through a view) or through a
// query named in a string (`query_to_xml('… FROM pg_stats …')`). Sent through the gateway to the
// real servers with their official clients and psql; each shape has its own password, named when
// it reaches the data directory. The cells that say which column a row describes stay readable.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { runProcess } from '../support/cli.js';
import { TOKENS } from '../support/gateway.js';
import { mariadbUnavailable } from '../support/mariadb-server.js';
import { recordedOf, startMariadbLeakGateway, startPostgresLeakGateway } from './database-gateways.js';
import { leakedNames } from './logged-gateway.js';

const WITHHELD_CELL = '(withheld: derived from a secret column)';

/** Shapes whose password is a secret column's DEFAULT, each in a table of its own name. */
const PG_DEFAULTS = {
  infoSchema: 'gravel orchid whisker',
  attrdef: 'amber yodel pistachio',
  psqlDescribe: 'frosty ladle compass',
  aliasedDefault: 'pliant mosaic thimble',
};
/** Shapes whose password is in a column's statistics, each from a table of its own name. */
const PG_STATS = {
  statsView: 'cobalt muffin prairie',
  statsTable: 'russet gopher anthem',
  statsPrepared: 'sable wicket lozenge',
  statsFunction: 'dune parsnip cymbal',
  statsInString: 'ochre bramble sonnet',
  statsAliased: 'glassy pumpkin rudder',
};
const PG = { ...PG_DEFAULTS, ...PG_STATS, missingValue: 'lilac tempest quiver' };

const MY_DEFAULTS = {
  infoSchema: 'pewter saddle mango',
  showColumns: 'quill harbor cactus',
  showFullFields: 'velvet tundra magpie',
  describe: 'crimson walrus pretzel',
  desc: 'mellow garnet shovel',
};
const MY = { ...MY_DEFAULTS, statsView: 'jasper noodle ferret', statsAliased: 'tepid magnet walrus' };

test('PostgreSQL: a DEFAULT read from the catalogs, and statistics read through what the session made, are withheld', {
  timeout: 120_000,
}, async () => {
  const db = await startPostgresLeakGateway(
    'vigil_leak_sql_column_values',
    [
      ...Object.entries(PG_DEFAULTS).map(
        ([table, value]) => `CREATE TABLE ${table} (id int, name text, password text DEFAULT '${value}');`,
      ),
      ...Object.entries(PG_STATS).map(
        ([table, value]) =>
          `CREATE TABLE ${table} (id int, password text);
           INSERT INTO ${table} SELECT g, '${value}' FROM generate_series(1, 50) g; ANALYZE ${table};`,
      ),
      'CREATE TABLE accounts (id int); INSERT INTO accounts VALUES (1);',
      `ALTER TABLE accounts ADD COLUMN password text DEFAULT '${PG.missingValue}';`,
    ].join('\n'),
  );
  try {
    const c = await db.connect();
    const read = await c.query(
      "SELECT column_name, column_default FROM information_schema.columns WHERE table_name = 'infoschema'",
    );
    // The client gets the values; only the record withholds them.
    assert.ok(JSON.stringify(read.rows).includes(PG.infoSchema));
    await c.query(
      "SELECT a.attname, pg_get_expr(d.adbin, d.adrelid) FROM pg_attrdef d JOIN pg_attribute a ON a.attrelid = d.adrelid AND a.attnum = d.adnum WHERE d.adrelid = 'attrdef'::regclass",
    );
    await c.query({
      text: 'SELECT attname, attmissingval FROM pg_attribute WHERE attrelid = $1::regclass AND attnum > 0',
      values: ['accounts'],
    });
    // `SELECT *` over pg_stats makes no view (its anyarray columns); a cast makes one.
    await c.query(
      'CREATE TEMP VIEW s AS SELECT tablename, attname, most_common_vals::text AS most_common_vals FROM pg_stats',
    );
    const stats = await c.query(
      "SELECT attname, most_common_vals FROM s WHERE tablename = 'statsview' AND attname = 'password'",
    );
    assert.ok(JSON.stringify(stats.rows).includes(PG.statsView));
    await c.query(
      "CREATE TEMP TABLE s2 AS SELECT most_common_vals::text AS v, tablename FROM pg_stats WHERE tablename = 'statstable'",
    );
    await c.query('SELECT v FROM s2');
    await c.query("PREPARE p AS SELECT most_common_vals FROM pg_stats WHERE tablename = 'statsprepared'");
    await c.query('EXECUTE p');
    await c.query(
      "CREATE FUNCTION f() RETURNS SETOF text AS $$ SELECT most_common_vals::text FROM pg_stats WHERE tablename = 'statsfunction' $$ LANGUAGE sql",
    );
    await c.query('SELECT * FROM f()');
    await c.query(
      "SELECT query_to_xml('SELECT most_common_vals FROM pg_stats WHERE tablename = ''statsinstring''', true, false, '')",
    );
    // A value named as a column that describes.
    await c.query("SELECT most_common_vals::text AS attname FROM pg_stats WHERE tablename = 'statsaliased'");
    await c.query(
      "SELECT column_default AS column_name FROM information_schema.columns WHERE table_name = 'aliaseddefault'",
    );
    await c.end();
    // psql's `\d` reads the defaults with its own catalog query.
    const described = await runProcess('psql', ['-X', '-v', 'ON_ERROR_STOP=1', '-c', '\\d psqldescribe'], {
      PGHOST: db.listener('pg').host,
      PGPORT: String(db.listener('pg').port),
      PGUSER: 'alice',
      PGDATABASE: 'x',
      PGPASSWORD: TOKENS.alice,
      PGSSLMODE: 'disable',
    });
    assert.equal(described.code, 0, described.stderr);
    assert.ok(described.stdout.includes(PG.psqlDescribe), described.stdout);
    const results = await recordedOf(db.gateway, 'pg', 'db.result');
    await db.gateway.close();
    assert.deepEqual(leakedNames(db.dataDir, PG), []);
    const joined = results.join('\n');
    // The rows still say which column each describes, and psql's types stay readable.
    assert.ok(joined.includes('["password","text",') && joined.includes(WITHHELD_CELL), joined);
  } finally {
    await db.close();
  }
});

test('MySQL: a DEFAULT read from information_schema, SHOW COLUMNS and DESCRIBE, and column_stats through a view, are withheld', {
  timeout: 180_000,
  skip: mariadbUnavailable() ?? false,
}, async () => {
  const d = 'vigil_leak_sql_column_values';
  const db = await startMariadbLeakGateway(
    d,
    Object.entries(MY_DEFAULTS)
      .map(
        ([table, value]) =>
          `CREATE TABLE \`${d}\`.${table} (id int, name text, password varchar(64) DEFAULT '${value}'); `,
      )
      .join('') +
      `CREATE TABLE \`${d}\`.logins (id int, password varchar(64)); ` +
      `INSERT INTO \`${d}\`.logins VALUES (1, '${MY.statsView}'), (2, '${MY.statsView}'); ` +
      `CREATE TABLE \`${d}\`.logins2 (id int, password varchar(64)); ` +
      `INSERT INTO \`${d}\`.logins2 VALUES (1, '${MY.statsAliased}'), (2, '${MY.statsAliased}'); ` +
      `ANALYZE TABLE \`${d}\`.logins, \`${d}\`.logins2 PERSISTENT FOR ALL`,
  );
  try {
    const c = await db.connect();
    const [read] = await c.query(
      "SELECT COLUMN_NAME, COLUMN_DEFAULT FROM information_schema.COLUMNS WHERE TABLE_NAME = 'infoSchema'",
    );
    assert.ok(JSON.stringify(read).includes(MY.infoSchema));
    await c.query('SHOW COLUMNS FROM showColumns');
    await c.query('SHOW FULL FIELDS FROM showFullFields');
    await c.query('DESCRIBE `describe`');
    await c.execute('DESC `desc`');
    await c.query(
      "CREATE VIEW cs AS SELECT * FROM mysql.column_stats WHERE db_name = DATABASE() AND table_name = 'logins'",
    );
    const [stats] = await c.query('SELECT column_name, min_value, max_value FROM cs');
    // The server answers with the values as binary strings.
    assert.ok((stats as { min_value: Buffer }[]).some((r) => String(r.min_value) === MY.statsView));
    await c.query(
      "SELECT min_value AS column_name FROM mysql.column_stats WHERE db_name = DATABASE() AND table_name = 'logins2'",
    );
    await c.end();
    const results = await recordedOf(db.gateway, 'my', 'db.result');
    await db.gateway.close();
    assert.deepEqual(leakedNames(db.dataDir, MY), []);
    const joined = results.join('\n');
    // SHOW COLUMNS keeps the field, its type and nullability.
    assert.ok(joined.includes('["password","varchar(64)","YES",'), joined);
    assert.ok(joined.includes(WITHHELD_CELL), joined);
  } finally {
    await db.close();
  }
});
