// An interactive psql session through Vigil, typed into a real terminal (tmux): the prompt, a
// query, a denied DROP, and the session recorded statement by statement.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { after, before, test } from 'node:test';
import { TOKENS } from '../support/gateway.js';
import { type PgFixture, startPgFixture } from './pg-gateway.js';

let fx: PgFixture;
const TMUX_SESSION = `vigil-psql-${process.pid}`;

const tmux = (...args: string[]) => execFileSync('tmux', args, { encoding: 'utf8' });
/** Types a line as a person would: the text literally (a `;` is not a tmux separator), then Enter. */
const type = (line: string) => {
  // tmux reads an argument ending in ';' as the end of its command, even with -l: escape it.
  tmux('send-keys', '-t', TMUX_SESSION, '-l', line.replace(/;$/, '\\;'));
  tmux('send-keys', '-t', TMUX_SESSION, 'Enter');
};

before(async () => {
  fx = await startPgFixture('vigil_interactive', { guardrails: { deny_statements: ['DROP'] } });
});

after(async () => {
  try {
    tmux('kill-session', '-t', TMUX_SESSION);
  } catch {
    // already gone
  }
  await fx?.close();
});

async function screenShows(pattern: RegExp, timeoutMs = 10_000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  let screen = '';
  while (Date.now() < deadline) {
    screen = tmux('capture-pane', '-p', '-t', TMUX_SESSION);
    if (pattern.test(screen)) return screen;
    await new Promise((r) => setTimeout(r, 100));
  }
  assert.fail(`the terminal never showed ${pattern}:\n${screen}`);
}

/** A real terminal needs tmux (Debian's package); without it this one test says why it did not run. */
const hasTmux = (() => {
  try {
    execFileSync('tmux', ['-V'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

test('psql typed into a terminal works through Vigil', {
  timeout: 60_000,
  skip: hasTmux ? false : 'tmux is not installed',
}, async () => {
  const psql = `PGPASSWORD=${TOKENS.alice} psql "host=${fx.host} port=${fx.port} user=alice dbname=vigil_interactive"`;
  tmux('new-session', '-d', '-s', TMUX_SESSION, '-x', '200', '-y', '50', psql);
  await screenShows(/^vigil_interactive=[#>]/m);
  type('create table notes (id int, body text);');
  await screenShows(/CREATE TABLE/);
  type("insert into notes (id, body) values (1, 'first'), (2, 'second');");
  await screenShows(/INSERT 0 2/);
  type('select count(*) from notes;');
  await screenShows(/\(1 row\)/);
  type('drop table notes;');
  const screen = await screenShows(/denied by rule deny_statements:DROP/);
  assert.match(screen, /ERROR: {2}vigil: denied/);
  type('\\q');

  const deadline = Date.now() + 10_000;
  let statements: string[] = [];
  while (Date.now() < deadline) {
    const [session] = await fx.gateway.store.ledger.listSessions({ identity: 'alice', connection: 'pg' });
    const events = session ? await fx.gateway.store.ledger.readSession(session.id) : [];
    statements = events.filter((e) => e.type === 'db.query').map((e) => String(e.payload?.statement));
    if (events.at(-1)?.type === 'session.end') break;
    await new Promise((r) => setTimeout(r, 100));
  }
  const typed = statements.filter((s) => /notes/.test(s));
  assert.deepEqual(typed, [
    'create table notes (id int, body text);',
    "insert into notes (id, body) values (1, 'first'), (2, 'second');",
    'select count(*) from notes;',
    'drop table notes;',
  ]);
});
