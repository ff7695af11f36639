// The tracing section of vigil.yaml: off when absent, defaults when present, and export headers
// only by secret reference (an inlined API key is refused, naming the key).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { configSchema } from '../../src/protocols/index.js';

test('tracing is off without the section, and takes its defaults with one', () => {
  assert.equal(configSchema.parse({}).tracing, undefined);
  assert.deepEqual(
    configSchema.parse({ tracing: { otlp_endpoint: 'http://collector:4318/v1/traces' } }).tracing,
    {
      otlp_endpoint: 'http://collector:4318/v1/traces',
      headers: {},
      service_name: 'vigil',
      content: false,
    },
  );
});

test('an inlined header value, a non-http endpoint or an unknown key is refused, naming the key', () => {
  const refused = (tracing: unknown, path: string) => {
    const result = configSchema.safeParse({ tracing });
    assert.equal(result.success, false);
    assert.ok(
      result.error!.issues.some((i) => i.path.join('.').startsWith(path)),
      JSON.stringify(result.error!.issues),
    );
  };
  refused(
    { otlp_endpoint: 'http://c/v1/traces', headers: { 'x-api-key': 'hc-inline-secret' } },
    'tracing.headers',
  );
  refused({ otlp_endpoint: 'ftp://c/v1/traces' }, 'tracing.otlp_endpoint');
  refused({ otlp_endpoint: 'http://c/v1/traces', sample_rate: 0.5 }, 'tracing');
  refused({ headers: {} }, 'tracing.otlp_endpoint');
});
