// The header's text is written by chain.ts headerFrame (a session's shared parts) and encodeHeaderIn
// (each event's own fields); the recorder and the verifier both use them. The chain hash covers these
// bytes, so they must be the canonical JSON of the header object for any field values, including
// text JSON must escape (quotes, backslashes, control characters, lone surrogates).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { canonicalJson } from '../../src/core/canonical-json.js';
import type { Identity } from '../../src/core/events.js';
import type { RawEventRow } from '../../src/core/ports.js';
import {
  chainHash,
  encodeHeaderIn,
  encodeHeaderWith,
  GENESIS_HASH,
  headerFrame,
} from '../../src/ledger/chain.js';
import { EventHashes } from '../../src/ledger/event-hashes.js';

// Any UTF-16 code units, lone surrogates included, besides ordinary and astral text.
const codeUnit = fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c));
const text = fc.oneof(fc.string(), fc.string({ unit: 'binary' }), fc.string({ unit: codeUnit }));

test('a header, whole or from a session frame, is the canonical JSON of the header object', () => {
  fc.assert(
    fc.property(
      fc.record({
        type: text,
        sessionId: text,
        seq: fc.oneof(fc.nat(), fc.double({ noNaN: true, noDefaultInfinity: true })),
        time: text,
        connection: text,
        identity: fc.dictionary(text, text),
        payloadHash: text,
      }),
      (h) => {
        const identity = canonicalJson(h.identity);
        const expected = canonicalJson({
          connection: h.connection,
          identity: h.identity,
          payload_hash: h.payloadHash,
          seq: h.seq,
          session: h.sessionId,
          time: h.time,
          type: h.type,
          v: 1,
        });
        const frame = headerFrame(h.sessionId, h.connection, identity);
        assert.equal(encodeHeaderIn(frame, h.type, h.seq, h.time, h.payloadHash), expected);
        assert.equal(
          encodeHeaderWith(h.type, h.sessionId, h.seq, h.time, h.connection, identity, h.payloadHash),
          expected,
        );
      },
    ),
    { numRuns: 2000 },
  );
});

test('a payload hash written plain is only ever hex, where plain and JSON agree', () => {
  fc.assert(
    fc.property(fc.stringMatching(/^[0-9a-f]{64}$/), (hex) => {
      const frame = headerFrame('s', 'c', '{}');
      assert.equal(encodeHeaderIn(frame, 't', 1, 'x', hex, true), encodeHeaderIn(frame, 't', 1, 'x', hex));
    }),
  );
  assert.throws(() => encodeHeaderIn(headerFrame('s', 'c', '{}'), 't', Number.NaN, 'x', 'h'), TypeError);
});

test('a session whose connection or identity changes mid-way is judged by each event its own', () => {
  // The frame kept for a session must never stand for an event naming another connection or identity.
  const hashes = new EventHashes();
  const identityOf = (subject: string): Identity => ({ subject, kind: 'user', groups: ['g'] });
  const row = (
    seq: number,
    connection: string,
    subject: string,
    hashedAs = { connection, subject },
  ): RawEventRow => {
    const header = {
      type: 'db.query' as const,
      sessionId: 's1',
      seq,
      time: '2026-01-01T00:00:00.000Z',
      payloadHash: '0'.repeat(64),
    };
    return {
      ...header,
      index: seq,
      connection,
      subject,
      identity: JSON.stringify(identityOf(subject)),
      payload: null,
      prevHash: GENESIS_HASH,
      hash: chainHash(GENESIS_HASH, {
        ...header,
        connection: hashedAs.connection,
        identity: identityOf(hashedAs.subject),
      }),
      payloadObject: null,
    };
  };
  assert.equal(hashes.check(row(0, 'pg', 'a')), null);
  assert.equal(hashes.check(row(1, 'pg', 'b')), null);
  assert.equal(hashes.check(row(2, 'mysql', 'b')), null);
  // Stored as another connection or identity than the one hashed: the frame of the event before must not hide it.
  assert.equal(hashes.check(row(3, 'pg', 'b', { connection: 'mysql', subject: 'b' })), 'header_changed');
  assert.equal(hashes.check(row(4, 'mysql', 'a', { connection: 'mysql', subject: 'b' })), 'header_changed');
  assert.equal(hashes.check(row(5, 'mysql', 'b')), null);
});
