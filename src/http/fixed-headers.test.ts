import assert from 'node:assert/strict';
import { test } from 'node:test';
import { VigilError } from '../core/errors.js';
import { parseConfigText } from '../server/load-config.js';
import { applyFixedHeaders, removeUpstreamHeader, setUpstreamHeader } from './fixed-headers.js';

const withHeaders = (type: string, headers: string) =>
  [
    'connections:',
    '  - name: c',
    `    type: ${type}`,
    '    upstream: http://127.0.0.1:9',
    `    upstream_headers: ${headers}`,
    '',
  ].join('\n');

function refusal(text: string): string {
  try {
    parseConfigText(text, 'vigil.yaml');
  } catch (err) {
    if (err instanceof VigilError && err.code === 'config_invalid') return err.message;
    throw err;
  }
  return assert.fail('expected config_invalid');
}

test('upstream_headers: model and http connections take header names and values, none by default', () => {
  for (const type of ['llm-openai', 'llm-anthropic', 'http']) {
    const config = parseConfigText(withHeaders(type, '{ OpenAI-Project: proj_a, X-Tenant: acme }'), 'v');
    assert.deepEqual((config.connections[0] as { upstream_headers?: unknown }).upstream_headers, {
      'OpenAI-Project': 'proj_a',
      'X-Tenant': 'acme',
    });
  }
  const plain = parseConfigText(withHeaders('llm-openai', '{}').replace(/ {4}upstream_headers.*\n/, ''), 'v');
  assert.deepEqual((plain.connections[0] as { upstream_headers?: unknown }).upstream_headers, {});
});

test('upstream_headers: credential, Vigil and framing headers, bad names and line breaks are refused', () => {
  const cases: [string, RegExp][] = [
    ['{ Authorization: "Bearer x" }', /credential/],
    ['{ x-api-key: k }', /credential/],
    ['{ X-Vigil-Session: s }', /Vigil's own header/],
    ['{ Host: example.com }', /sets or drops itself/],
    ['{ Content-Length: "3" }', /sets or drops itself/],
    ['{ Content-Encoding: gzip }', /sets or drops itself/],
    ['{ "bad name": x }', /HTTP header name/],
    ['{ X-Tenant: "a\\r\\nX-Other: b" }', /line break/],
  ];
  for (const [headers, reason] of cases) {
    for (const type of ['llm-openai', 'http']) {
      assert.match(refusal(withHeaders(type, headers)), reason, `${type} ${headers}`);
    }
  }
});

test("the connection's value replaces the client's, whatever case either is written in", () => {
  const out: Record<string, string> = { 'openai-project': 'proj_client', accept: 'application/json' };
  applyFixedHeaders(out, { 'OpenAI-Project': 'proj_pinned', 'X-Tenant': 'acme' });
  assert.deepEqual(out, { 'openai-project': 'proj_pinned', accept: 'application/json', 'x-tenant': 'acme' });
});

test("the connection's value also replaces a client's header a CGI-style server reads as the same name", () => {
  const out: Record<string, string> = {
    x_tenant: 'other',
    'x-tenant': 'other',
    x_api_token: 'mine',
    accept: '*/*',
  };
  applyFixedHeaders(out, { 'X-Tenant': 'acme' });
  setUpstreamHeader(out, 'X-Api-Token', 'injected');
  assert.deepEqual(out, { accept: '*/*', 'x-tenant': 'acme', 'x-api-token': 'injected' });
  const sent: Record<string, string> = { content_encoding: 'gzip', 'content-encoding': 'br', accept: '*/*' };
  removeUpstreamHeader(sent, 'content-encoding');
  assert.deepEqual(sent, { accept: '*/*' });
});
