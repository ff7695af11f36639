// Every secret the configuration makes the gateway hold is a known secret of the masker, not only
// the injected credentials: a trace backend's API key, a SIEM collector's token (a Splunk HEC token
// is shaped like a UUID, which no detector takes for a secret), a webhook's signing secret, an MCP
// server's env, the ledger's signing key. Pasted into a prompt or quoted in a log line, each is
// masked as the credentials are.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { configSchema } from '../../src/protocols/index.js';
import { buildMasker } from '../../src/server/build-masker.js';
import { resolveGatewaySecrets } from '../../src/server/gateway-secrets.js';

const SECRETS = {
  VIGIL_TEST_HONEYCOMB_KEY: 'hcaik_01hzq3m6x8c5v7b9n2k4j6h8g0',
  VIGIL_TEST_HEC_TOKEN: '9d1f6c2e-4b7a-4e3d-8c5f-1a2b3c4d5e6f',
  VIGIL_TEST_WEBHOOK_SECRET: 'whsec-lantern-orchard-42',
  VIGIL_TEST_MCP_GITHUB_TOKEN: 'plain-words-but-secret-77',
  VIGIL_TEST_FINGERPRINT_KEY: 'fingerprint-key-material-0042',
};

test('tracing and SIEM headers, webhook secrets, MCP env and the fingerprint key are masked wherever they appear', () => {
  Object.assign(process.env, SECRETS);
  const config = configSchema.parse({
    masking: { fingerprint_key: 'env:VIGIL_TEST_FINGERPRINT_KEY' },
    tracing: {
      otlp_endpoint: 'http://127.0.0.1:4318/v1/traces',
      headers: { 'x-honeycomb-team': 'env:VIGIL_TEST_HONEYCOMB_KEY' },
    },
    siem: {
      sinks: [
        {
          type: 'http',
          name: 'splunk',
          url: 'https://splunk.example:8088/services/collector',
          headers: { authorization: 'env:VIGIL_TEST_HEC_TOKEN' },
        },
      ],
    },
    approvals: {
      webhooks: [{ url: 'https://hooks.example/vigil', secret: 'env:VIGIL_TEST_WEBHOOK_SECRET' }],
    },
    connections: [
      {
        name: 'gh',
        type: 'mcp',
        upstream: 'stdio',
        command: ['github-mcp'],
        env: { GITHUB_TOKEN: 'env:VIGIL_TEST_MCP_GITHUB_TOKEN' },
        allow: ['*'],
      },
    ],
  });
  const known = resolveGatewaySecrets(config, process.cwd()).knownSecrets;
  const dataDir = mkdtempSync(join(tmpdir(), 'vigil-configured-secrets-'));
  try {
    const masker = buildMasker(config, dataDir, process.cwd(), known);
    for (const [name, value] of Object.entries(SECRETS)) {
      const masked = masker.maskText(`the value is ${value}, said the user`, 'any');
      assert.ok(!masked.includes(value), `${name} is masked: ${masked}`);
    }
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
});
