// The credential Vigil injects, and every configured secret, is masked wherever it appears, in the
// answers sent back to the client too. An upstream whose JSON encoder writes characters as \u
// escapes (PHP's json_encode and Python's json.dumps for non-ASCII, HTML-safe encoders for `<>&'`,
// some encoders for every character) echoed it in a spelling no literal matched, and the client and
// the record got it in clear. Through an HTTP API connection (node http upstreams echoing what they
// were sent, answers whole and in pieces of a few bytes) and an MCP connection (the official SDK
// client, the demo tool server reading a file that holds its own credential escaped).
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { type McpFixture, sdkClient, startMcpFixture, UPSTREAM_TOKEN } from '../mcp/fixture.js';
import { dataDirFiles } from '../support/data-dir-files.js';
import { type EchoUpstream, startEchoUpstream } from '../support/echo-upstream.js';
import { type TestGateway, TOKENS } from '../support/gateway.js';
import { askEcho, startEchoGateway } from './echo-gateway.js';

const CREDENTIAL = "svc-Key<Held>&Co's-0123";
const CONFIGURED = 'Grüner-Schlüssel-0042';
let upstream: EchoUpstream;
let gateway: TestGateway;
let mcp: McpFixture;

/** `\uXXXX` for each character `pick` takes. */
const uEscape = (text: string, pick: (c: string) => boolean) =>
  text.replace(/[\s\S]/g, (c) => (pick(c) ? `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}` : c));

/** What each echo writes: the value as the encoder named in `x-echo` spells it in a JSON string. */
function spell(value: string, how: string): string {
  switch (how) {
    case 'php':
      return uEscape(value, (c) => c > '\u007f').replaceAll('/', '\\/');
    case 'html-safe':
      return uEscape(value, (c) => "<>&'".includes(c));
    case 'raw':
      // As written, UTF-8: the answer is masked byte for byte, so the non-ASCII secret is read as its bytes.
      return value;
    default:
      return uEscape(value, () => true);
  }
}

/** Each file of the data directory read with its \u escapes (once or twice escaped) decoded. */
function decodedDataDir(dataDir: string): { path: string; text: string }[] {
  return dataDirFiles(dataDir).map(({ path, bytes }) => ({
    path,
    text: bytes
      .toString('utf8')
      .replace(/\\+u([0-9a-fA-F]{4})/g, (_e, hex: string) => String.fromCharCode(Number.parseInt(hex, 16))),
  }));
}

before(async () => {
  upstream = await startEchoUpstream((headers) => {
    const how = String(headers['x-echo'] ?? 'all');
    const seen = String(headers['x-api-key'] ?? '');
    return {
      contentType: 'application/json',
      body: `{"seen":"${spell(seen, how)}","configured":"${spell(CONFIGURED, how)}"}`,
    };
  });
  gateway = await startEchoGateway({
    connection: 'escaping-api',
    upstreamUrl: upstream.url,
    envPrefix: 'VIGIL_LEAK_UNICODE',
    credential: CREDENTIAL,
    configured: CONFIGURED,
  });
  mcp = await startMcpFixture();
});

after(async () => {
  await gateway?.close();
  await mcp?.close();
  await upstream?.close();
});

test('an injected credential and a configured secret echoed with \\u escapes reach neither the client nor the record', async () => {
  for (const how of ['php', 'html-safe', 'all', 'raw'])
    for (const pieces of [false, true]) {
      const res = await askEcho(gateway, 'escaping-api', how, pieces);
      const body = await res.text();
      assert.equal(res.status, 200, body);
      const read = JSON.parse(body) as Record<string, string>;
      assert.match(read.seen!, /^\[MASKED:known-secret:[0-9a-f]{6}\]$/, `${how}: ${body}`);
      assert.match(read.configured!, /^\[MASKED:known-secret:[0-9a-f]{6}\]$/, `${how}: ${body}`);
    }
  // A client's body holding the credential so spelled is recorded masked too.
  const sent = `{"note":"${spell(CREDENTIAL, 'all')}"}`;
  const res = await fetch(`${gateway.url}/c/escaping-api/v1/echo`, {
    method: 'POST',
    headers: { authorization: `Bearer ${TOKENS.alice}`, 'content-type': 'text/plain' },
    body: sent,
  });
  await res.text();
  await gateway.recorder.drain();
  for (const { path, text } of decodedDataDir(gateway.dataDir))
    for (const secret of [CREDENTIAL, CONFIGURED])
      assert.ok(!text.includes(secret), `${path} holds ${secret}`);
});

test("an MCP server's answer holding its credential with \\u escapes reaches the client masked", async () => {
  // A file the tool reads: a PHP application's JSON config, its credential written every character escaped.
  writeFileSync(join(mcp.root, 'config.json'), `{"upstream_auth":"${spell(UPSTREAM_TOKEN, 'all')}"}\n`);
  const client = await sdkClient(`${mcp.gateway.url}/c/tools/mcp`, TOKENS.alice);
  let text = '';
  try {
    const result = await client.callTool({ name: 'read_file', arguments: { path: 'config.json' } });
    text = (result.content as { type: string; text: string }[])[0]!.text;
  } finally {
    await client.close();
  }
  assert.match(text, /^\{"upstream_auth":"\[MASKED:known-secret:[0-9a-f]{6}\]"\}\n$/, text);
  await mcp.events();
  for (const { path, text: stored } of decodedDataDir(mcp.gateway.dataDir))
    assert.ok(!stored.includes(UPSTREAM_TOKEN), `${path} holds the upstream credential`);
});
