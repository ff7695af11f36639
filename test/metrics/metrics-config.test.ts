// metrics off (the default) serves no /metrics route; the scrape token is only ever a secret reference.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { isVigilError } from '../../src/core/errors.js';
import { configSchema } from '../../src/protocols/index.js';
import { startTestGateway, type TestGateway, TOKENS } from '../support/gateway.js';

let gateway: TestGateway;
before(async () => {
  gateway = await startTestGateway({});
});
after(() => gateway?.close());

test('with metrics off (the default), GET /metrics is an unknown route even for an admin', async () => {
  assert.equal(gateway.config.metrics.enabled, false);
  const res = await fetch(`${gateway.url}/metrics`, { headers: { authorization: `Bearer ${TOKENS.alice}` } });
  assert.equal(res.status, 404);
  assert.equal(res.headers.get('x-vigil-error'), 'route_unknown');
});

test('the scrape token must be a secret reference, never the token itself', () => {
  const literal = configSchema.safeParse({ metrics: { enabled: true, scrape_token: 'plain-token-value' } });
  assert.equal(literal.success, false);
  assert.match(JSON.stringify(literal.error?.issues), /secret reference/);
  const ref = configSchema.parse({ metrics: { enabled: true, scrape_token: 'env:VIGIL_METRICS_TOKEN' } });
  assert.deepEqual(ref.metrics, { enabled: true, scrape_token: 'env:VIGIL_METRICS_TOKEN' });
  assert.equal(
    configSchema.safeParse({ metrics: { enabled: true, port: 9100 } }).success,
    false,
    'unknown keys',
  );
});

test('a scrape token shorter than 16 characters stops the gateway at start', async () => {
  process.env.VIGIL_TEST_SHORT_SCRAPE_TOKEN = 'short-token';
  await assert.rejects(
    startTestGateway({ metrics: { enabled: true, scrape_token: 'env:VIGIL_TEST_SHORT_SCRAPE_TOKEN' } }),
    (err) => isVigilError(err) && err.code === 'config_invalid' && !err.message.includes('short-token'),
  );
});
