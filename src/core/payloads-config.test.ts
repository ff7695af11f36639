// The `payloads` section: sizes as people write them, the defaults, and what is refused (with the key
// named): unknown keys, a bad size, credentials inlined or given alone.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseByteSize } from './byte-size.js';
import { payloadsSectionSchema } from './payloads-config.js';

test('sizes: bytes, binary and decimal units, in any case; nothing else', () => {
  assert.equal(parseByteSize(4096), 4096);
  assert.equal(parseByteSize('4096'), 4096);
  assert.equal(parseByteSize('512KiB'), 512 * 1024);
  assert.equal(parseByteSize('1MiB'), 1024 * 1024);
  assert.equal(parseByteSize('1 mib'), 1024 * 1024);
  assert.equal(parseByteSize('1.5MiB'), 1.5 * 1024 * 1024);
  assert.equal(parseByteSize('2GB'), 2e9);
  assert.equal(parseByteSize('10B'), 10);
  assert.equal(parseByteSize('0'), 0);
  for (const bad of [-1, 1.5, Number.NaN, '1.5B', '1 TiB', 'MiB', '-1MiB', '1e6', '', '1MiB2']) {
    assert.equal(parseByteSize(bad), null, String(bad));
  }
});

test('absent, the section is off; present, it defaults to 1 MiB in a folder', () => {
  assert.equal(payloadsSectionSchema.parse(undefined), undefined);
  assert.deepEqual(payloadsSectionSchema.parse({}), {
    offload_above: 1024 * 1024,
    objects: { type: 'fs', path: 'payloads' },
  });
  assert.deepEqual(
    payloadsSectionSchema.parse({ offload_above: '256KiB', objects: { type: 's3', bucket: 'b' } }),
    {
      offload_above: 256 * 1024,
      objects: { type: 's3', bucket: 'b', region: 'us-east-1', prefix: '', force_path_style: false },
    },
  );
});

test('refused, naming the key: a bad size, an unknown key, inlined or lone credentials', () => {
  const issues = (value: unknown) => {
    const result = payloadsSectionSchema.safeParse(value);
    assert.equal(result.success, false, JSON.stringify(value));
    return [...new Set(result.error!.issues.map((i) => i.path.join('.')))];
  };
  assert.deepEqual(issues({ offload_above: 'lots' }), ['offload_above']);
  assert.deepEqual(issues({ objects: { type: 'fs', folder: 'x' } }), ['objects']);
  assert.deepEqual(issues({ objects: { type: 'gcs', bucket: 'b' } }), ['objects.type']);
  assert.deepEqual(issues({ objects: { type: 's3' } }), ['objects.bucket']);
  assert.deepEqual(issues({ objects: { type: 's3', bucket: 'b', secret_access_key: 'AKIAEXAMPLEINLINE' } }), [
    'objects.secret_access_key',
  ]);
  assert.deepEqual(issues({ objects: { type: 's3', bucket: 'b', access_key_id: 'env:ONLY_ONE' } }), [
    'objects.secret_access_key',
  ]);
  assert.deepEqual(issues({ objects: { type: 's3', bucket: 'b', endpoint: 'ftp://x' } }), [
    'objects.endpoint',
  ]);
});
