// No seeded secret reaches storage: prompts, streamed responses (each secret split across two
// SSE deltas at every offset), invalid request bodies and the injected credential go through the
// gateway; afterwards no file of the data directory (database, WAL, keys, anchor, log) holds any
// seeded secret, raw or base64.
import assert from 'node:assert/strict';
import { createWriteStream, mkdtempSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { BUILTIN_RULES } from '../../src/mask/index.js';
import { configSchema } from '../../src/protocols/index.js';
import { type Gateway, startGateway } from '../../src/server/gateway.js';
import { dataDirFiles } from '../support/data-dir-files.js';
import { TEST_IDENTITIES, TOKENS } from '../support/gateway.js';

const UPSTREAM_KEY = 'sk-proj-UpstreamKeyOnlyVigilHolds0123456789abcdefXYZ';

/** Every default-on rule's hit vectors: the text to send and the secret inside it. */
const SEEDS = BUILTIN_RULES.filter((r) => r.id !== 'ip-address').flatMap((rule) =>
  (rule.vectors?.hits ?? []).map((hit) => ({
    rule: rule.id,
    text: hit.text,
    secret: hit.secret ?? hit.text,
  })),
);

/** A raw OpenAI-format upstream that streams `x-reply` split into two deltas at `x-cut`. */
let upstream: Server;
let upstreamUrl: string;
let gateway: Gateway;
let dataDir: string;
let logFile: string;

before(async () => {
  upstream = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      const reply = Buffer.from(String(req.headers['x-reply'] ?? ''), 'base64').toString('utf8');
      const cut = Number(req.headers['x-cut'] ?? 0);
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      for (const piece of [reply.slice(0, cut), reply.slice(cut)]) {
        res.write(`data: ${JSON.stringify({ choices: [{ index: 0, delta: { content: piece } }] })}\n\n`);
      }
      res.end(
        `data: ${JSON.stringify({ choices: [{ index: 0, delta: {}, finish_reason: 'stop' }] })}\n\ndata: [DONE]\n\n`,
      );
    });
  });
  await new Promise<void>((r) => upstream.listen(0, '127.0.0.1', r));
  upstreamUrl = `http://127.0.0.1:${(upstream.address() as { port: number }).port}`;
  dataDir = mkdtempSync(join(tmpdir(), 'vigil-leak-'));
  logFile = join(dataDir, 'vigil.log');
  process.env.VIGIL_LEAK_UPSTREAM_KEY = UPSTREAM_KEY;
  const config = configSchema.parse({
    data: dataDir,
    log_level: 'debug',
    identities: TEST_IDENTITIES,
    connections: [
      {
        name: 'oa',
        type: 'llm-openai',
        upstream: upstreamUrl,
        credential: 'env:VIGIL_LEAK_UPSTREAM_KEY',
        allow: ['*'],
      },
    ],
  });
  gateway = await startGateway(
    { config, path: null, dataDir },
    { listen: '127.0.0.1:0', logDestination: createWriteStream(logFile) },
  );
});

after(async () => {
  await new Promise((r) => upstream.close(r));
});

const send = (body: string, headers: Record<string, string> = {}) =>
  fetch(`${gateway.url}/c/oa/v1/chat/completions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${TOKENS.alice}`, 'content-type': 'application/json', ...headers },
    body,
  }).then((r) => r.text());

test('seeded secrets of every rule never reach the data directory or the log', {
  timeout: 300_000,
}, async () => {
  assert.ok(SEEDS.length >= 40, `${SEEDS.length} seeded secrets`);
  const rules = new Set(SEEDS.map((s) => s.rule));
  for (const [i, seed] of SEEDS.entries()) {
    const prompt = JSON.stringify({
      model: 'demo',
      stream: true,
      messages: [{ role: 'user', content: `Please check this: ${seed.text}` }],
      user: seed.text,
    });
    // The response carries the secret too, split at every offset across the first seed of each rule.
    const firstOfRule = SEEDS.findIndex((s) => s.rule === seed.rule) === i;
    const reply = `Found it: ${seed.text} — rotate it.`;
    const start = reply.indexOf(seed.secret);
    const cuts = firstOfRule
      ? Array.from({ length: seed.secret.length + 1 }, (_, k) => start + k)
      : [start + 1];
    for (const cut of cuts) {
      await send(prompt, { 'x-reply': Buffer.from(reply).toString('base64'), 'x-cut': String(cut) });
    }
    // An invalid body: JSON.parse errors quote their input, and the error is recorded and logged.
    await send(`{"messages": "${seed.text}`);
  }
  await gateway.close();

  const secrets = [...SEEDS, { rule: 'injected-credential', secret: UPSTREAM_KEY }].filter(
    (s) => s.secret.length >= 8,
  );
  const forms = secrets.flatMap((s) =>
    [s.secret, Buffer.from(s.secret).toString('base64'), Buffer.from(s.secret).toString('base64url')].map(
      (form) => ({
        rule: s.rule,
        form,
      }),
    ),
  );
  const leaks: string[] = [];
  for (const { path: file, bytes: data } of dataDirFiles(dataDir)) {
    const bytes = data.toString('latin1');
    for (const { rule, form } of forms) {
      const at = bytes.indexOf(form);
      if (at >= 0)
        leaks.push(`${file} (${rule}): …${bytes.slice(Math.max(0, at - 60), at + form.length + 10)}…`);
    }
  }
  assert.deepEqual(leaks, [], `${leaks.length} leaks`);
  assert.ok(statSync(logFile).size > 0, 'the log was written');
  assert.ok(rules.size >= 25, `${rules.size} rules seeded`);
});
