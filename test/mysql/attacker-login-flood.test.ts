// A flood of connections that never log in, at the MySQL front door. Until 5 December the listener
// took any number of them, each greeted and held for up to 30 s without a credential shown. Now at
// most `listeners.max_pending_logins` may be logging in at once (5 here): the next client gets
// error 1040 (ER_CON_COUNT_ERROR) in place of the greeting, as MySQL answers past max_connections,
// until one of them is done. Through the gateway, against the real MariaDB, with mysql2 and the
// mariadb client.
import assert from 'node:assert/strict';
import type { Socket } from 'node:net';
import { test } from 'node:test';
import mysql from 'mysql2/promise';
import { TOKENS } from '../support/gateway.js';
import { connectToListener } from '../support/login-flood.js';
import { clientArgs, mysqlFixtureForFile, runClient, vigilOptions } from './mysql-gateway.js';

const LIMIT = 5;
const { skip, f } = mysqlFixtureForFile('vigil_login_flood', {
  // The flood comes from one address: its share is the listener's whole, so the listener's bound is what is tested.
  settings: { listeners: { max_pending_logins: LIMIT, max_pending_logins_per_source: LIMIT } },
});

/** LIMIT sockets connected to the listener that read the greeting and never answer it. */
async function flood(): Promise<Socket[]> {
  const sockets: Socket[] = [];
  for (let i = 0; i < LIMIT; i++) sockets.push(await connectToListener(f().gateway, 'my'));
  return sockets;
}

/** The errno a mysql2 login fails with, or 'ok'. */
async function login(token: string = TOKENS.alice): Promise<number | string> {
  let c: mysql.Connection | undefined;
  try {
    c = await mysql.createConnection(vigilOptions(f(), token));
    await c.query('SELECT 1');
    return 'ok';
  } catch (err) {
    return (err as { errno?: number }).errno ?? (err as Error).message;
  } finally {
    await c?.end().catch(() => undefined);
  }
}

/** Tries to log in until it works: the gateway frees a slot when it sees the socket close. */
async function eventuallyLogsIn(): Promise<void> {
  const outcomes: (number | string)[] = [];
  for (let i = 0; i < 100; i++) {
    const outcome = await login();
    if (outcome === 'ok') return;
    outcomes.push(outcome);
    await new Promise((r) => setTimeout(r, 50));
  }
  assert.fail(`never logged in: ${outcomes.slice(-3).join(', ')}`);
}

test('past the limit of connections logging in, a client gets error 1040, and gets in once they leave', {
  skip,
}, async () => {
  const sockets = await flood();
  try {
    assert.equal(await login(), 1040);
    const cli = await runClient('mariadb', [
      ...clientArgs(vigilOptions(f())),
      '--skip-ssl',
      '-e',
      'select 1',
    ]);
    assert.notEqual(cli.code, 0);
    assert.match(cli.stderr, /ERROR 1040 .*too many connections are logging in/);
  } finally {
    for (const s of sockets) s.destroy();
  }
  await eventuallyLogsIn();
});

test('a failed login frees its slot', { skip }, async () => {
  for (let i = 0; i < LIMIT + 2; i++) assert.equal(await login('tok-wrong-0123456789'), 1045);
  assert.equal(await login(), 'ok');
});

test('sessions already logged in are not counted, and are not disturbed by a flood', { skip }, async () => {
  const clients: mysql.Connection[] = [];
  try {
    for (let i = 0; i < LIMIT + 2; i++) clients.push(await mysql.createConnection(vigilOptions(f())));
    assert.equal(await login(), 'ok');
    const sockets = await flood();
    try {
      assert.equal(await login(), 1040);
      for (const [i, c] of clients.entries()) {
        const [rows] = await c.query('SELECT ? AS n', [i]);
        assert.equal((rows as { n: number }[])[0]!.n, i);
      }
    } finally {
      for (const s of sockets) s.destroy();
    }
    await eventuallyLogsIn();
  } finally {
    for (const c of clients) await c.end();
  }
});
