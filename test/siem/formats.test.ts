// The vigil and ECS documents for ledger rows: the ledger's fields exactly, payloads that are not
// there flagged with why, and the ECS categorization of decisions, refusals and results.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { RawEventRow } from '../../src/core/ports.js';
import { sha256Hex } from '../../src/ledger/chain.js';
import { ecsDocument, formatEvent, vigilDocument } from '../../src/siem/formats.js';

interface EcsDocument {
  readonly '@timestamp': string;
  readonly event: Record<string, unknown>;
  readonly user: unknown;
  readonly token: { readonly id: string };
  readonly service: { readonly target: { readonly name: string } };
  readonly vigil: unknown;
}

/** A row as a reader hands it over; the payload hash is that of the payload's text, as recorded. */
function row(type: string, payload: object | null, index = 7): RawEventRow {
  const text = payload === null ? null : JSON.stringify(payload);
  return {
    index,
    sessionId: 's_1',
    seq: 3,
    type,
    time: '2026-12-02T05:00:00.000Z',
    connection: 'oa',
    subject: null,
    identity: JSON.stringify({ subject: 'alice', kind: 'user', groups: ['ai-eng', 'sre'], tokenId: 't_9' }),
    payload: text,
    payloadHash: text === null ? 'a'.repeat(64) : sha256Hex(text),
    prevHash: 'b'.repeat(64),
    hash: 'c'.repeat(64),
  };
}

test('vigil format: the ledger row as recorded; a purged payload is null and flagged', () => {
  assert.deepEqual(vigilDocument(row('llm.request', { model: 'demo' })), {
    index: 7,
    hash: 'c'.repeat(64),
    prev_hash: 'b'.repeat(64),
    payload_hash: sha256Hex('{"model":"demo"}'),
    session: 's_1',
    seq: 3,
    type: 'llm.request',
    time: '2026-12-02T05:00:00.000Z',
    connection: 'oa',
    identity: { subject: 'alice', kind: 'user', groups: ['ai-eng', 'sre'], tokenId: 't_9' },
    payload: { model: 'demo' },
  });
  const purged = vigilDocument(row('llm.request', null));
  assert.equal(purged.payload, null);
  assert.equal(purged.payload_purged, true);
  assert.equal(purged.payload_hash, 'a'.repeat(64));
  assert.equal(purged.payload_missing, undefined);
  assert.ok(!formatEvent(row('x.y', {}), 'vigil').includes('\n'), 'one line');
});

test('vigil format: a payload that does not hash to its payload hash is not forwarded, and flagged', () => {
  // An inline column edited in the database, or the reader's `null` for a replaced object.
  for (const payload of ['{"model":"forged"}', 'null']) {
    const altered = vigilDocument({ ...row('llm.request', { model: 'demo' }), payload });
    assert.equal(altered.payload, null);
    assert.equal(altered.payload_altered, true);
    assert.equal(altered.payload_purged, undefined);
  }
  // No text and an object reference: the object storage does not hold it (not a purge).
  const missing = vigilDocument({ ...row('llm.request', null), payloadObject: 'ab/abcdef' });
  assert.deepEqual(
    [missing.payload, missing.payload_missing, missing.payload_purged],
    [null, true, undefined],
  );
});

test('ECS: identity, target, sequence and hash; the whole event under vigil', () => {
  const d = ecsDocument(row('db.query', { statement: 'select 1' })) as unknown as EcsDocument;
  assert.equal(d['@timestamp'], '2026-12-02T05:00:00.000Z');
  assert.deepEqual(d.event.category, ['database']);
  assert.deepEqual(d.event.type, ['access']);
  assert.equal(d.event.action, 'db.query');
  assert.equal(d.event.sequence, 7);
  assert.equal(d.event.hash, 'c'.repeat(64));
  assert.deepEqual(d.user, { name: 'alice', group: { name: ['ai-eng', 'sre'] } });
  assert.equal(d.token.id, 't_9');
  assert.equal(d.service.target.name, 'oa');
  assert.deepEqual(d.vigil, vigilDocument(row('db.query', { statement: 'select 1' })));
});

test('ECS: kind and outcome of decisions, refusals and results', () => {
  const ecs = (type: string, payload: object | null) =>
    ecsDocument(row(type, payload)).event as Record<string, unknown>;
  assert.deepEqual(
    [ecs('policy.decision', { action: 'deny' }).outcome, ecs('policy.decision', { action: 'deny' }).kind],
    ['failure', 'event'],
  );
  assert.deepEqual(
    [ecs('policy.decision', { action: 'alert' }).outcome, ecs('policy.decision', { action: 'alert' }).kind],
    ['success', 'alert'],
  );
  assert.equal(ecs('access.denied', {}).outcome, 'failure');
  assert.deepEqual(ecs('access.denied', {}).type, ['denied']);
  assert.equal(ecs('db.result', { error: { code: '42P01' } }).outcome, 'failure');
  assert.equal(ecs('db.result', { rows: 1 }).outcome, 'success');
  assert.equal(ecs('llm.response', null).outcome, 'unknown', 'a purged response has no known outcome');
  assert.deepEqual(ecs('session.end', {}).type, ['end']);
  assert.deepEqual(ecs('something.new', {}).category, ['host']);
});
