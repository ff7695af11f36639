import assert from 'node:assert/strict';
import type { IncomingMessage } from 'node:http';
import { Readable } from 'node:stream';
import { test } from 'node:test';
import fc from 'fast-check';
import { VigilError } from '../core/errors.js';
import { parseJsonBody, readJsonObject } from './json-body.js';

// Every message parseJsonBody may give: fixed text and digits, nothing taken from the body.
const ALLOWED_MESSAGES = [
  /^the request body is empty; a JSON object is expected$/,
  /^the request body is not valid JSON( at character \d+)?$/,
  /^the request body nests arrays and objects deeper than \d+ levels$/,
];

function outcome(text: string): { value: unknown } | VigilError {
  try {
    return { value: parseJsonBody(Buffer.from(text, 'utf8')) };
  } catch (err) {
    assert.ok(err instanceof VigilError, `threw ${String(err)}`);
    return err;
  }
}

test('valid JSON parses to what JSON.parse gives', () => {
  fc.assert(
    fc.property(fc.json({ maxDepth: 6 }), (text) => {
      const r = outcome(text);
      assert.ok(!(r instanceof VigilError), r instanceof VigilError ? r.message : '');
      assert.deepEqual(r.value, JSON.parse(text));
    }),
  );
});

test('a refusal never quotes the body, however it is broken', () => {
  const key = 'AKIAIOSFODNN7EXAMPLE';
  const brokenAroundKey = fc
    .tuple(fc.json({ maxDepth: 3 }), fc.nat(), fc.string({ maxLength: 3 }), fc.nat())
    .map(([json, at, stray, cut]) => {
      const i = at % (json.length + 1);
      const text = `${json.slice(0, i)}${key}${stray}${json.slice(i)}`;
      return text.slice(0, text.length - (cut % 4));
    });
  fc.assert(
    fc.property(fc.oneof(brokenAroundKey, fc.string({ unit: 'binary' })), (text) => {
      const r = outcome(text);
      if (!(r instanceof VigilError)) return;
      assert.ok(['body_invalid_json', 'body_too_deep'].includes(r.code), r.code);
      assert.ok(
        ALLOWED_MESSAGES.some((m) => m.test(r.message)),
        `message carries more than a position: ${r.message}`,
      );
    }),
    { numRuns: 2000 },
  );
});

test('the position reported is where the parser stopped', () => {
  const r = outcome('{"a":1,}');
  assert.ok(r instanceof VigilError);
  assert.equal(r.details?.position, 7);
  const truncated = outcome('{"content":"AKIAIOSFOD');
  assert.ok(truncated instanceof VigilError);
  assert.equal(truncated.message, 'the request body is not valid JSON at character 22');
});

test('depth is refused before parsing', () => {
  const r = outcome(`${'['.repeat(200)}not json at all`);
  assert.ok(r instanceof VigilError);
  assert.equal(r.code, 'body_too_deep');
});

function bodyOf(text: string): IncomingMessage {
  return Object.assign(Readable.from([Buffer.from(text, 'utf8')]), {
    headers: {},
  }) as unknown as IncomingMessage;
}

async function refusedWith(text: string, maxBytes: number): Promise<string> {
  try {
    await readJsonObject(bodyOf(text), maxBytes);
  } catch (err) {
    assert.ok(err instanceof VigilError, String(err));
    return err.code;
  }
  assert.fail(`${text.slice(0, 40)} was accepted`);
}

test('readJsonObject: an object, or {} for an empty body; anything else is refused by code', async () => {
  assert.deepEqual(await readJsonObject(bodyOf('{"reason":"x"}'), 100), { reason: 'x' });
  assert.deepEqual(await readJsonObject(bodyOf(''), 100), {});
  for (const notAnObject of ['[]', '[{"reason":"x"}]', 'null', '"text"', '7', 'true']) {
    assert.equal(await refusedWith(notAnObject, 100), 'body_invalid_json', notAnObject);
  }
  assert.equal(await refusedWith('{"reason":"x"', 100), 'body_invalid_json');
  assert.equal(await refusedWith(`{"a":${'['.repeat(200)}${']'.repeat(200)}}`, 1000), 'body_too_deep');
  assert.equal(await refusedWith(`{"reason":"${'x'.repeat(100)}"}`, 100), 'body_too_large');
});
