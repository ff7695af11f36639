// Property tests of the MySQL message parsers: whatever bytes arrive, a parser returns or throws a
// VigilError (never another exception, never a read past the payload), and what an encoder writes
// the parser reads back, also after the packets were split at every byte boundary.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { VigilError } from '../../core/errors.js';
import { parseExecuteHead, parseLongData, readExecution, readParams } from './command-messages.js';
import { CAP, TYPE } from './constants.js';
import {
  greetingPayload,
  handshakeResponsePayload,
  parseGreeting,
  parseHandshakeResponse,
} from './handshake-messages.js';
import { ClientPacketFramer } from './packet-framer.js';
import { packet } from './packet-writer.js';
import { parseBinaryRow, parseColumnDef, parseOk, parsePrepareOk, parseTextRow } from './result-messages.js';
import { classifyMysql } from './sql-classifier.js';
import { lexMysql } from './sql-lexer.js';

const onlyVigilErrors = (run: () => unknown) => {
  try {
    run();
  } catch (e) {
    assert.ok(e instanceof VigilError, `threw ${String(e)}`);
  }
};

const bytes = fc.uint8Array({ maxLength: 300 }).map((b) => Buffer.from(b));

test('every parser returns or throws a VigilError on arbitrary bytes', () => {
  fc.assert(
    fc.property(bytes, fc.integer({ min: 0, max: 40 }), (b, n) => {
      onlyVigilErrors(() => parseHandshakeResponse(b));
      onlyVigilErrors(() => parseGreeting(b));
      onlyVigilErrors(() => {
        const head = parseExecuteHead(b, n);
        readParams(b, head, head.types ?? [], new Map());
      });
      onlyVigilErrors(() => readExecution(b, n, null, new Map()));
      onlyVigilErrors(() => parseLongData(b));
      onlyVigilErrors(() => parseColumnDef(b, n % 2 === 0));
      onlyVigilErrors(() => parseOk(b));
      onlyVigilErrors(() => parsePrepareOk(b));
      const columns = Array.from({ length: n % 5 }, (_, i) => ({
        name: `c${i}`,
        type: [1, 3, 8, 5, 12, 11, 253][i % 7]!,
        charset: 33,
        unsigned: false,
      }));
      onlyVigilErrors(() => parseTextRow(b, columns));
      onlyVigilErrors(() => parseBinaryRow(b, columns));
    }),
    { numRuns: 2000 },
  );
});

/** A parameter value and how the binary protocol writes it. */
const paramArb = fc.oneof(
  fc
    .integer({ min: -128, max: 127 })
    .map((v) => ({ type: TYPE.TINY, value: v as unknown, bytes: Buffer.from([v & 0xff]) })),
  fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }).map((v) => {
    const b = Buffer.alloc(4);
    b.writeInt32LE(v);
    return { type: TYPE.LONG, value: v as unknown, bytes: b };
  }),
  fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }).map((v) => {
    const b = Buffer.alloc(8);
    b.writeBigInt64LE(v);
    const safe = v <= BigInt(Number.MAX_SAFE_INTEGER) && v >= BigInt(Number.MIN_SAFE_INTEGER);
    return { type: TYPE.LONGLONG, value: (safe ? Number(v) : v.toString()) as unknown, bytes: b };
  }),
  fc.double({ noNaN: true, noDefaultInfinity: true }).map((v) => {
    const b = Buffer.alloc(8);
    b.writeDoubleLE(v);
    return { type: TYPE.DOUBLE, value: v as unknown, bytes: b };
  }),
  fc.string({ maxLength: 40 }).map((v) => {
    const s = Buffer.from(v, 'utf8');
    return { type: TYPE.VAR_STRING, value: v as unknown, bytes: Buffer.concat([Buffer.from([s.length]), s]) };
  }),
  fc
    .record({
      y: fc.integer({ min: 1000, max: 9999 }),
      m: fc.integer({ min: 1, max: 12 }),
      d: fc.integer({ min: 1, max: 28 }),
      h: fc.integer({ min: 0, max: 23 }),
    })
    .map(({ y, m, d, h }) => {
      const b = Buffer.from([7, y & 0xff, y >> 8, m, d, h, 5, 9]);
      const p = (n: number) => String(n).padStart(2, '0');
      return { type: TYPE.DATETIME, value: `${y}-${p(m)}-${p(d)} ${p(h)}:05:09` as unknown, bytes: b };
    }),
  fc.constant({ type: TYPE.NULL, value: null as unknown, bytes: Buffer.alloc(0) }),
);

function executePacket(id: number, params: { type: number; value: unknown; bytes: Buffer }[]): Buffer {
  const bitmap = Buffer.alloc((params.length + 7) >> 3);
  params.forEach((p, i) => {
    if (p.value === null) bitmap[i >> 3]! |= 1 << (i & 7);
  });
  const head = Buffer.alloc(10);
  head[0] = 0x17;
  head.writeUInt32LE(id, 1);
  head.writeUInt32LE(1, 6);
  const types = Buffer.concat(params.map((p) => Buffer.from([p.type, 0])));
  const values = Buffer.concat(params.filter((p) => p.value !== null).map((p) => p.bytes));
  return params.length === 0 ? head : Buffer.concat([head, bitmap, Buffer.from([1]), types, values]);
}

test('COM_STMT_EXECUTE parameters decode by type, the packets split at every byte boundary', () => {
  fc.assert(
    fc.property(fc.array(paramArb, { maxLength: 8 }), fc.integer({ min: 1, max: 2 ** 31 }), (params, id) => {
      const wire = packet(0, executePacket(id, params));
      for (let cut = 0; cut <= wire.length; cut++) {
        const framer = new ClientPacketFramer(1 << 20);
        framer.push(wire.subarray(0, cut));
        const early = framer.next();
        framer.push(wire.subarray(cut));
        const p = early ?? framer.next();
        assert.ok(p);
        const head = parseExecuteHead(p.payload, params.length);
        assert.equal(head.statementId, id);
        const values = readParams(p.payload, head, head.types!, new Map());
        assert.deepEqual(
          values,
          params.map((x) => x.value),
        );
        assert.deepEqual(readExecution(p.payload, params.length, null, new Map()).parameters, values);
      }
    }),
    { numRuns: 150 },
  );
});

test('an execution that reuses the last bound types is read with them; a cursor, or no types at all, is refused', () => {
  const value = Buffer.alloc(8);
  value.writeBigInt64LE(42n);
  const sent = executePacket(7, [{ type: TYPE.LONGLONG, value: 42, bytes: value }]);
  const first = readExecution(sent, 1, null, new Map());
  assert.deepEqual(first.parameters, [42]);
  assert.deepEqual(first.sentTypes, [{ type: TYPE.LONGLONG, unsigned: false }]);
  // The same execution without types (new-params-bound 0): the server binds the last ones.
  const reused = Buffer.concat([sent.subarray(0, 10), Buffer.from([0, 0]), value]);
  const again = readExecution(reused, 1, first.sentTypes, new Map());
  assert.deepEqual(again.parameters, [42]);
  assert.equal(again.sentTypes, null);
  const uncertain = (e: unknown) => e instanceof VigilError && e.code === 'statement_uncertain';
  assert.throws(() => readExecution(reused, 1, null, new Map()), uncertain);
  const withCursor = Buffer.from(sent);
  withCursor[5] = 1;
  assert.throws(() => readExecution(withCursor, 1, null, new Map()), uncertain);
});

test('a parameter whose value is cut short is a protocol violation, not a wrong value', () => {
  const full = executePacket(1, [{ type: TYPE.LONGLONG, value: 1, bytes: Buffer.alloc(8) }]);
  for (let cut = 1; cut < full.length; cut++) {
    assert.throws(
      () => {
        const head = parseExecuteHead(full.subarray(0, cut), 1);
        readParams(full.subarray(0, cut), head, head.types!, new Map());
      },
      (e: unknown) => e instanceof VigilError && e.code === 'protocol_violation',
    );
  }
});

test('handshake packets round-trip: greeting and response, split at every byte', () => {
  fc.assert(
    fc.property(
      fc.string({ minLength: 1, maxLength: 30 }).filter((s) => !s.includes('\0')),
      fc.uint8Array({ minLength: 0, maxLength: 60 }).map((b) => Buffer.from(b)),
      fc.option(
        fc.string({ minLength: 1, maxLength: 20 }).filter((s) => !s.includes('\0')),
        { nil: null },
      ),
      (user, auth, database) => {
        const payload = handshakeResponsePayload({
          capabilities: CAP.CONNECT_WITH_DB | CAP.DEPRECATE_EOF,
          charset: 45,
          user,
          authResponse: auth,
          database,
          authPlugin: 'caching_sha2_password',
        });
        const wire = packet(1, payload);
        for (let cut = 0; cut <= wire.length; cut++) {
          const framer = new ClientPacketFramer(1 << 16);
          framer.push(wire.subarray(0, cut));
          assert.equal(framer.next() === null, cut < wire.length);
        }
        const r = parseHandshakeResponse(payload);
        assert.deepEqual(
          [r.user, r.authResponse, r.database, r.authPlugin, r.charset],
          [user, auth, database, 'caching_sha2_password', 45],
        );
        const g = parseGreeting(
          greetingPayload({
            serverVersion: user,
            connectionId: 7,
            scramble: Buffer.alloc(20, 0x41),
            capabilities: CAP.PLUGIN_AUTH | CAP.PROTOCOL_41 | CAP.SECURE_CONNECTION,
            mariadbCapabilities: 8,
            charset: 45,
            status: 2,
            authPlugin: 'caching_sha2_password',
          }),
        );
        assert.deepEqual(
          [g.serverVersion, g.scramble.toString(), g.authPlugin, g.mariadbCapabilities],
          [user, 'A'.repeat(20), 'caching_sha2_password', 8],
        );
      },
    ),
    { numRuns: 100 },
  );
});

const piece = fc.constantFrom(
  "'it''s; drop'",
  '"a\\"; drop"',
  '`we;ird`',
  '/* ; drop */',
  '-- ; drop\n',
  '# ; drop\n',
  ' 1 ',
  ', 2',
  " 'x\\\\' ",
);

test('the lexer never throws; semicolons inside strings, identifiers and comments never split a statement', () => {
  fc.assert(
    fc.property(fc.array(fc.array(piece, { maxLength: 5 }), { minLength: 1, maxLength: 4 }), (statements) => {
      const texts = statements.map((parts) => `select ${parts.join(' ')} x`);
      const lexed = lexMysql(texts.join(';'));
      assert.equal(lexed.unterminated, false);
      assert.equal(lexed.statements.length, texts.length);
      for (const s of lexed.statements)
        assert.equal(
          s.tokens.some((t) => t.kind === 'word' && t.text === 'drop'),
          false,
        );
    }),
    { numRuns: 300 },
  );
  fc.assert(
    fc.property(fc.string({ maxLength: 200 }), (text) => {
      lexMysql(text);
      const c = classifyMysql(text);
      assert.ok(c.statements.length >= 1);
    }),
    { numRuns: 500 },
  );
});

test('executable comments are code: what they hide is judged', () => {
  const kinds = (sql: string) => classifyMysql(sql).statements.map((s) => s.kind);
  assert.deepEqual(kinds('select 1 /*! ; drop table t */'), ['SELECT', 'DROP']);
  assert.deepEqual(kinds('/*!50001 drop table t */'), ['DROP']);
  // MariaDB's marker runs on MariaDB only: where the server is not known, Vigil cannot read it.
  assert.deepEqual(kinds('/*M!100100 truncate table t */'), ['UNKNOWN']);
  assert.deepEqual(kinds('select 1 /* ; drop table t */'), ['SELECT']);
  assert.deepEqual(kinds("select 'a\\' ; drop table t; -- '"), ['SELECT']);
  assert.deepEqual(kinds('select 1 /*! unterminated'), ['UNKNOWN']);
});
