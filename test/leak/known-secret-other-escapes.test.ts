// The credential Vigil injects, and every configured secret, is masked wherever it appears, in the
// answers sent back to the client too. An upstream that echoed it through an encoder other than
// JSON's (a Python bytes repr's `\x73`, a JavaScript literal's `\u{73}`, an HTML page's `&#115;` or
// `&#x73;`, a URL's `%73` for every character) handed it to the client, and to the record, in
// clear until 7 December. Through an HTTP API connection (a node http upstream echoing what it was
// sent, answers whole and in pieces of three bytes) and an MCP connection (the official SDK client,
// the demo tool server reading an HTML file that holds its own credential as character
// references); the data directory is searched for every spelling.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { type McpFixture, sdkClient, startMcpFixture, UPSTREAM_TOKEN } from '../mcp/fixture.js';
import { dataDirFiles } from '../support/data-dir-files.js';
import { type EchoUpstream, startEchoUpstream } from '../support/echo-upstream.js';
import { type TestGateway, TOKENS } from '../support/gateway.js';
import { askEcho, startEchoGateway } from './echo-gateway.js';

const CREDENTIAL = 'svc-Key<Held>&Co-0123';
const CONFIGURED = 'Grüner-Schlüssel-0042';
let upstream: EchoUpstream;
let gateway: TestGateway;
let mcp: McpFixture;

const hex = (n: number, width: number) => n.toString(16).padStart(width, '0');
const bytes = (value: string, each: (b: number) => string) =>
  [...Buffer.from(value, 'utf8')].map(each).join('');

/** What each echo writes: the value as the encoder named in `x-echo` spells it. */
function spell(value: string, how: string): string {
  switch (how) {
    case 'python-bytes':
      return bytes(value, (b) => `\\x${hex(b, 2)}`);
    case 'js-codepoint':
      return [...value].map((c) => `\\u{${hex(c.codePointAt(0)!, 1)}}`).join('');
    case 'html-decimal':
      return [...value].map((c) => `&#${c.codePointAt(0)};`).join('');
    case 'html-hex':
      return [...value].map((c) => `&#x${hex(c.codePointAt(0)!, 1)};`).join('');
    default:
      return bytes(value, (b) => `%${hex(b, 2).toUpperCase()}`);
  }
}
const KINDS = ['python-bytes', 'js-codepoint', 'html-decimal', 'html-hex', 'percent'];

/** Every spelling's first characters: none may be stored. */
const spellings = (value: string) => [value, ...KINDS.map((k) => spell(value, k).slice(0, 24))];

function assertNotStored(dataDir: string, secrets: readonly string[]): void {
  for (const { path, bytes: stored } of dataDirFiles(dataDir))
    for (const secret of secrets)
      for (const s of spellings(secret)) assert.ok(!stored.includes(Buffer.from(s)), `${path} holds ${s}`);
}

before(async () => {
  upstream = await startEchoUpstream((headers) => {
    const how = String(headers['x-echo'] ?? 'percent');
    const seen = String(headers['x-api-key'] ?? '');
    return {
      contentType: 'text/html',
      body: `<p>seen ${spell(seen, how)}</p><p>configured ${spell(CONFIGURED, how)}</p>`,
    };
  });
  gateway = await startEchoGateway({
    connection: 'escaping-html',
    upstreamUrl: upstream.url,
    envPrefix: 'VIGIL_LEAK_OTHER_ESCAPES',
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

test('an injected credential and a configured secret echoed with other escapes reach neither the client nor the record', async () => {
  for (const how of KINDS)
    for (const pieces of [false, true]) {
      const res = await askEcho(gateway, 'escaping-html', how, pieces);
      const body = await res.text();
      assert.equal(res.status, 200, body);
      assert.match(
        body,
        /^<p>seen \[MASKED:known-secret:[0-9a-f]{6}\]<\/p><p>configured \[MASKED:known-secret:[0-9a-f]{6}\]<\/p>$/,
        `${how}${pieces ? ' in pieces' : ''}: ${body}`,
      );
    }
  // A client's body holding the credential so spelled is recorded masked too.
  for (const how of KINDS) {
    const res = await fetch(`${gateway.url}/c/escaping-html/v1/echo`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TOKENS.alice}`, 'content-type': 'text/plain' },
      body: `note=${spell(CREDENTIAL, how)}`,
    });
    await res.text();
  }
  await gateway.recorder.drain();
  assertNotStored(gateway.dataDir, [CREDENTIAL, CONFIGURED]);
});

test("an MCP server's answer holding its credential as HTML character references reaches the client masked", async () => {
  writeFileSync(join(mcp.root, 'status.html'), `<code>${spell(UPSTREAM_TOKEN, 'html-decimal')}</code>\n`);
  const client = await sdkClient(`${mcp.gateway.url}/c/tools/mcp`, TOKENS.alice);
  let text = '';
  try {
    const result = await client.callTool({ name: 'read_file', arguments: { path: 'status.html' } });
    text = (result.content as { type: string; text: string }[])[0]!.text;
  } finally {
    await client.close();
  }
  assert.match(text, /^<code>\[MASKED:known-secret:[0-9a-f]{6}\]<\/code>\n$/, text);
  await mcp.events();
  assertNotStored(mcp.gateway.dataDir, [UPSTREAM_TOKEN]);
});
