// The parser workers (parser-pool.ts), with the real parser: a parse that outlasts its limit is
// refused and its worker replaced; a slow parse in one worker does not hold a parse in the other;
// the limit counts from when a worker takes the text, not from when it was queued.
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { VigilError } from '../../core/errors.js';
import { ParserPool } from './parser-pool.js';

/** CAST arguments nested `depth` deep: seconds at 12, minutes at 14 (bench/mysql/parser-nesting.ts). */
function nestedCast(depth: number): string {
  let inner = '1';
  for (let i = 0; i < depth; i++) inner = `CAST((${inner}) AS CHAR)`;
  return `SELECT ${inner}`;
}

const pools: ParserPool[] = [];
after(() => Promise.all(pools.map((p) => p.close())));
async function readyPool(workers: number): Promise<ParserPool> {
  const pool = new ParserPool({ workers });
  pools.push(pool);
  await pool.whenReady();
  return pool;
}

const tooComplex = (err: unknown) => err instanceof VigilError && err.code === 'statement_too_complex';
const queueFull = (err: unknown) => err instanceof VigilError && err.code === 'parser_queue_full';

test('a parse that outlasts its limit is refused, and the replaced worker parses the next text', async () => {
  const pool = await readyPool(1);
  await assert.rejects(pool.parse(nestedCast(14), 100), tooComplex);
  assert.equal(pool.replaced, 1);
  const parsed = await pool.parse('SELECT id FROM t WHERE id = 1', 250);
  assert.deepEqual(parsed?.tableList, ['select::null::t']);
  // The parser's own refusals are not errors: the text is UNKNOWN to the classifier.
  assert.equal(await pool.parse('SELEC nonsense', 250), null);
});

test('a slow parse in one worker does not hold a parse in the other', async () => {
  const pool = await readyPool(2);
  const order: string[] = [];
  const slow = pool.parse(nestedCast(14), 5000).then(
    () => order.push('slow parsed'),
    (err: unknown) => order.push(tooComplex(err) ? 'slow refused' : 'slow failed'),
  );
  const fast = await pool.parse('SELECT 1 FROM t', 5000);
  order.push('fast parsed');
  await slow;
  assert.ok(fast !== null);
  assert.deepEqual(order, ['fast parsed', 'slow refused']);
});

test('the time limit counts from when a worker takes the text, not from when it was queued', async () => {
  const pool = await readyPool(1);
  const results = await Promise.allSettled([
    pool.parse(nestedCast(14), 200),
    // Queued behind the slow parse and the worker's replacement, longer than its own limit.
    pool.parse('SELECT 2', 200),
    pool.parse('SELECT 3', 200),
  ]);
  assert.equal(results[0].status, 'rejected');
  assert.deepEqual(
    results.slice(1).map((r) => r.status),
    ['fulfilled', 'fulfilled'],
  );
});

test('parses run concurrently in order of arrival and each answers its own text', async () => {
  const pool = await readyPool(2);
  const texts = Array.from({ length: 20 }, (_, i) => `SELECT c${i} FROM t${i}`);
  const parsed = await Promise.all(texts.map((t) => pool.parse(t, 5000)));
  assert.deepEqual(
    parsed.map((p) => p?.tableList),
    texts.map((_, i) => [`select::null::t${i}`]),
  );
});

test("one owner's flood of slow texts waits its turn behind other owners' and is refused past its bound", async () => {
  const pool = new ParserPool({ workers: 1, maxWaitingPerOwner: 3 });
  pools.push(pool);
  await pool.whenReady();
  const order: string[] = [];
  const settle = (name: string, p: Promise<unknown>) =>
    p.then(
      () => order.push(`${name} parsed`),
      (err: unknown) => order.push(tooComplex(err) ? `${name} refused` : `${name} failed`),
    );
  // One running, three waiting: the bound.
  const flood = [0, 1, 2, 3].map((i) => settle(`mallory${i}`, pool.parse(nestedCast(14), 300, 'mallory')));
  // A fifth is refused at once, saying why, before any parse ends.
  const refused = await pool.parse(nestedCast(14), 300, 'mallory').then(
    () => null,
    (err: unknown) => err,
  );
  assert.ok(queueFull(refused));
  assert.match((refused as Error).message, /3 statements of this identity are already waiting/);
  assert.deepEqual(order, []);
  // Another owner's text goes next, not after the whole flood.
  const fast = settle('alice', pool.parse('SELECT 1 FROM t', 5000, 'alice'));
  await Promise.all([...flood, fast]);
  assert.deepEqual(order, [
    'mallory0 refused',
    'alice parsed',
    'mallory1 refused',
    'mallory2 refused',
    'mallory3 refused',
  ]);
  // Served, the owner may queue again.
  assert.ok((await pool.parse('SELECT 2', 5000, 'mallory')) !== null);
});

test('a closed pool refuses new parses', async () => {
  const pool = new ParserPool({ workers: 1 });
  await pool.close();
  await assert.rejects(pool.parse('SELECT 1', 250), VigilError);
});
