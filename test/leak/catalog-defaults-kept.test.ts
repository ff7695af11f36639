// MariaDB's `SHOW [FULL] COLUMNS` and `DESCRIBE` name the column each row describes in `Field`, which
// the server writes and no statement can rename: a row's `Default` is withheld only when its column
// is secret-named, and a harmless default (`active`) is recorded as read. A SELECT from
// information_schema.COLUMNS, whose select list may rename any cell `Field`, is withheld as before.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { WITHHELD_CELL } from '../../src/mask/value-echoes.js';
import { mariadbUnavailable } from '../support/mariadb-server.js';
import { recordedOf, startMariadbLeakGateway } from './database-gateways.js';
import { leaksIn } from './logged-gateway.js';

const TOKEN_DEFAULT = 'lantern quiet moss';

test('MariaDB: SHOW COLUMNS and DESCRIBE keep the defaults of columns that are not secret', {
  timeout: 180_000,
  skip: mariadbUnavailable() ?? false,
}, async () => {
  const db = await startMariadbLeakGateway(
    'vigil_leak_catalog_defaults',
    'CREATE TABLE vigil_leak_catalog_defaults.t (id int primary key, status varchar(8) DEFAULT ' +
      `'active', api_token varchar(64) DEFAULT '${TOKEN_DEFAULT}');`,
  );
  try {
    const c = await db.connect();
    const statements = [
      'SHOW COLUMNS FROM t',
      'DESCRIBE t',
      'SHOW FULL FIELDS FROM t',
      "SELECT COLUMN_NAME AS Field, COLUMN_DEFAULT AS `Default` FROM information_schema.COLUMNS WHERE TABLE_NAME = 't'",
      "SELECT COLUMN_DEFAULT AS Field, 'x' AS `Default` FROM information_schema.COLUMNS WHERE TABLE_NAME = 't'",
    ];
    for (const s of statements) {
      const [rows] = await c.query(s);
      assert.match(JSON.stringify(rows), new RegExp(TOKEN_DEFAULT), `the client still gets it: ${s}`);
    }
    await c.end();
    const results = (await recordedOf(db.gateway, 'my', 'db.result')).map(
      (p) => JSON.parse(p) as { columns: string[]; rows: unknown[][] },
    );
    const defaults = results
      .filter((r) => r.columns.includes('Default') && r.columns.includes('Field'))
      .map((r) => {
        const f = r.columns.indexOf('Field');
        const d = r.columns.indexOf('Default');
        return Object.fromEntries(r.rows.map((row) => [String(row[f]), row[d]]));
      });
    assert.equal(defaults.length, 5, JSON.stringify(results));
    for (const d of defaults.slice(0, 3)) {
      assert.equal(d.status, 'active', JSON.stringify(d));
      assert.equal(d.api_token, WITHHELD_CELL, JSON.stringify(d));
      assert.equal(d.id, null, JSON.stringify(d));
    }
    // Selected from the catalog, every default is withheld, whatever the columns are called.
    assert.equal(defaults[3]!.status, WITHHELD_CELL, JSON.stringify(defaults[3]));
    assert.deepEqual(leaksIn(db.dataDir, [TOKEN_DEFAULT]), []);
  } finally {
    await db.close();
  }
});
