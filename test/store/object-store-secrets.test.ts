// The object store's credentials are secrets of the gateway like the store's URL: resolved from
// references, and known to the masker, so a recorded prompt or a log line never holds them.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { configSchema } from '../../src/protocols/index.js';
import { buildMasker } from '../../src/server/build-masker.js';
import { resolveGatewaySecrets } from '../../src/server/gateway-secrets.js';

test('the S3 access key id and secret key are masked wherever they appear', () => {
  process.env.VIGIL_TEST_OBJECTS_KEY_ID = 'AKIAVIGILTESTKEY7Q2M';
  process.env.VIGIL_TEST_OBJECTS_SECRET = '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';
  const config = configSchema.parse({
    payloads: {
      objects: {
        type: 's3',
        bucket: 'vigil-payloads',
        access_key_id: 'env:VIGIL_TEST_OBJECTS_KEY_ID',
        secret_access_key: 'env:VIGIL_TEST_OBJECTS_SECRET',
      },
    },
  });
  const known = resolveGatewaySecrets(config, process.cwd()).knownSecrets;
  assert.ok(known.some((k) => k.label === 'object-store-access-key-id'));
  assert.ok(known.some((k) => k.label === 'object-store-secret-access-key'));
  const dataDir = mkdtempSync(join(tmpdir(), 'vigil-secrets-'));
  try {
    const masker = buildMasker(config, dataDir, process.cwd(), known);
    const text = `use key ${process.env.VIGIL_TEST_OBJECTS_KEY_ID} with secret ${process.env.VIGIL_TEST_OBJECTS_SECRET} please`;
    const masked = masker.maskText(text, 'any');
    assert.doesNotMatch(masked, /AKIAVIGILTESTKEY7Q2M/);
    assert.doesNotMatch(masked, /vQ9s\+Zr3kW1pXy7TnB4mHc2LdE8fGa6JoUi0RtYe/);
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
  const without = resolveGatewaySecrets(configSchema.parse({ payloads: {} }), process.cwd()).knownSecrets;
  assert.ok(!without.some((k) => k.label.startsWith('object-store-')));
});
