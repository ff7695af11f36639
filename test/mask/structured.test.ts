// Structure-aware masking: SQL values by column (literals and bind parameters), db.result cells by
// column name, JSON keys at any depth, shell command lines.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { test } from 'node:test';
import fc from 'fast-check';
import type { JsonObject, JsonValue } from '../../src/core/events.js';
import { createMasker } from '../../src/mask/index.js';
import { secretNameMatcher } from '../../src/mask/secret-names.js';
import { secretBindings } from '../../src/mask/sql-columns.js';
import { tokenizeSql } from '../../src/mask/sql-tokens.js';

const secret = secretNameMatcher();
const masker = createMasker({ fingerprintKey: 'structured' });

test('secret names match by their last words, not by substrings', () => {
  for (const yes of [
    'password',
    'user_password',
    'clientSecret',
    'X-Api-Key',
    'AWS_SECRET_ACCESS_KEY',
    'PGPASSWORD',
    'card_number',
    'ssn',
    'refresh_token',
  ])
    assert.ok(secret(yes), yes);
  for (const no of [
    'password_hint',
    'token_count',
    'max_tokens',
    'bypass',
    'keyboard',
    'name',
    'spin',
    'secret_name',
  ])
    assert.ok(!secret(no), no);
});

test('INSERT column lists map $n and ? parameters and literals to their columns', () => {
  const pg = secretBindings('INSERT INTO users(name, password) VALUES ($1, $2)', secret);
  assert.deepEqual([...pg.params], [[2, 'password']]);
  const my = secretBindings(
    "insert into `users` (`name`, `api_key`, note) values (?, ?, 'a ? b'), (?, ?, ?)",
    secret,
  );
  assert.deepEqual(
    [...my.params],
    [
      [2, 'api_key'],
      [4, 'api_key'],
    ],
  );
  const sql = "INSERT INTO users (id, password) VALUES (1, 'hunter2'), (2, crypt($1, gen_salt('bf')))";
  const lit = secretBindings(sql, secret);
  assert.deepEqual(
    lit.literals.map((l) => sql.slice(l.start, l.end)),
    ['hunter2', 'bf'],
  );
  assert.deepEqual([...lit.params], [[1, 'password']]);
});

test('SET assignments, WHERE comparisons and IN lists bind their values; comments are skipped', () => {
  const sql =
    "UPDATE accounts SET token = $1, name = 'x' WHERE u.password = 'p@ss''word' AND id IN (1,2) AND secret IN ($2, 'abc') -- password = 'no'";
  const b = secretBindings(sql, secret);
  assert.deepEqual([...b.params].sort(), [
    [1, 'token'],
    [2, 'secret'],
  ]);
  assert.deepEqual(
    b.literals.map((l) => sql.slice(l.start, l.end)),
    ["p@ss''word", 'abc'],
  );
  const dollarSql = "SELECT $q$ password = '$1' $q$ WHERE pwd = $$x$$";
  const dollar = secretBindings(dollarSql, secret);
  // A string's content is read as SQL too (a DO body, a function body): its value bound to a
  // secret column is masked where it is written, but a parameter in it is the body's own.
  assert.deepEqual(dollar.literals.map((l) => dollarSql.slice(l.start, l.end)).sort(), ['$1', 'x']);
  assert.deepEqual([...dollar.params], []);
});

test('the SQL lexer accepts any text and numbers ? placeholders in order', () => {
  fc.assert(
    fc.property(fc.string({ maxLength: 200 }), (sql) => {
      const tokens = tokenizeSql(sql);
      for (const t of tokens) assert.ok(t.start >= 0 && t.end <= sql.length + 1);
      secretBindings(sql, secret);
    }),
    { numRuns: 500 },
  );
});

test('db.query payloads: a prepared INSERT masks the bound password; db.result masks secret columns', () => {
  const password = 'correct horse battery staple';
  const q = masker.maskPayload(
    {
      statement: 'INSERT INTO users(name, password) VALUES ($1, $2)',
      parameters: ['alice', password],
      protocol: 'extended',
    },
    'pg',
  );
  assert.deepEqual((q.parameters as string[])[0], 'alice');
  assert.match((q.parameters as string[])[1]!, /^\[MASKED:secret-column:[0-9a-f]{6}\]$/);
  assert.ok(!JSON.stringify(q).includes(password));
  const simple = masker.maskPayload(
    { statement: "UPDATE users SET password = 'pw1' WHERE id = 7", parameters: [] },
    'pg',
  );
  assert.match(
    simple.statement as string,
    /SET password = '\[MASKED:secret-column:[0-9a-f]{6}\]' WHERE id = 7/,
  );
  const r = masker.maskPayload(
    {
      columns: ['id', 'password', 'email_verified'],
      rows: [
        ['1', 'pw1', 't'],
        ['2', null, 'f'],
      ],
    },
    'pg',
  );
  const rows = r.rows as (string | null)[][];
  assert.equal(rows[0]![0], '1');
  assert.match(rows[0]![1]!, /^\[MASKED:secret-column:/);
  assert.equal(rows[1]![1], null);
  assert.equal(rows[0]![2], 't');
});

test('JSON keys at any depth; words under token keys, counters and placeholders stay', () => {
  const out = masker.maskPayload(
    {
      config: { db: { password: 'abc' }, items: [{ client_secret: 'tiny' }] },
      max_tokens: 1024,
      logprobs: [{ token: 'Hello', logprob: -0.1 }],
      access_token: 'opaque-session-handle-12345',
      env: { DB_PASSWORD: '${DB_PASSWORD}' },
      pin: 1234,
    },
    'llm',
  );
  const text = JSON.stringify(out);
  for (const gone of ['"abc"', 'tiny', 'opaque-session-handle-12345', '1234'])
    assert.ok(!text.includes(gone), gone);
  assert.equal(out.max_tokens, 1024);
  assert.ok(text.includes('"token":"Hello"'));
  assert.ok(text.includes('${DB_PASSWORD}'));
});

test('identifiers named as such stay: a secret word in a name ending in id does not label its value', () => {
  const ids = {
    token_id: 'tk_Ab3dE5gH7jK9mN2pQ4',
    keyId: 'Zq8wX2cV4bN6mL1kJ3hG',
    'session-id': 'se_Qm7Rt2Wx9Yz4Ab6Cd',
  };
  const out = masker.maskPayload(
    { ...ids, token: 'Ab3dE5gH7jK9mN2pQ4xZ', note: 'api_key=Ab3dE5gH7jK9mN2pQ4xZ' },
    'llm',
  );
  for (const [key, value] of Object.entries(ids)) assert.equal(out[key], value, key);
  assert.ok(!JSON.stringify(out).includes('Ab3dE5gH7jK9mN2pQ4xZ'), 'the labelled tokens are still masked');
});

test("a provider's opaque blobs stay as they are, unless a credential or known secret is in them", () => {
  const blob = randomBytes(240).toString('base64');
  // Random base64url can spell an OpenAI key (`-sk-` and 32 more characters), about one run in
  // 40,000: such a blob holds a credential, which is masked. Drawn again then.
  let encrypted: string;
  do encrypted = `gAAAAA${randomBytes(300).toString('base64url')}`;
  while (/\bsk-/.test(encrypted));
  const opaque: JsonObject = {
    content: [
      { type: 'thinking', thinking: 'Two and two.', signature: blob },
      { type: 'redacted_thinking', data: blob },
      {
        type: 'content_block_delta',
        index: 0,
        delta: { type: 'signature_delta', signature: blob },
      } as JsonObject,
    ],
    output: [{ type: 'reasoning', id: 'rs_1', encrypted_content: encrypted, summary: [] }],
    data: [{ object: 'embedding', index: 0, embedding: blob }],
    search: [
      { type: 'web_search_result', url: 'https://example.com/', title: 'Example', encrypted_content: blob },
      { type: 'web_search_result_location', cited_text: 'Example', encrypted_index: blob },
      { type: 'compaction', encrypted_content: encrypted },
    ],
    tool_calls: [
      { id: 'call_1', extra_content: { google: { thought_signature: blob } } },
      { functionCall: { name: 'f', args: {} }, thoughtSignature: blob },
    ],
  };
  assert.deepEqual(masker.maskPayload(opaque, 'llm'), opaque);
  // The same blob anywhere else is still key material.
  for (const elsewhere of [
    { type: 'text', signature: blob } as JsonObject,
    { signature: blob },
    { type: 'thinking', data: blob },
    { type: 'reasoning', content: blob },
    { object: 'embedding', vector: blob },
  ]) {
    const masked = JSON.stringify(masker.maskPayload(elsewhere, 'llm'));
    assert.ok(masked.includes('[MASKED:key-material:') && !masked.includes(blob), masked);
  }
  // A prefixed credential or a known secret inside an opaque member is still found.
  const key = `sk-ant-api03-${'A1b2C3d4E5'.repeat(9)}AA`;
  const withKey = JSON.stringify(
    masker.maskPayload({ type: 'thinking', signature: `${blob}/${key}` }, 'llm'),
  );
  assert.ok(!withKey.includes(key) && withKey.includes('[MASKED:anthropic-key:'), withKey);
  const known = createMasker({
    fingerprintKey: 'structured',
    knownSecrets: [{ value: 'Zq9x8W7v6U5t4S3r', label: 'db' }],
  });
  const withKnown = JSON.stringify(
    known.maskPayload({ type: 'reasoning', encrypted_content: `${blob}Zq9x8W7v6U5t4S3r` }, 'llm'),
  );
  assert.ok(!withKnown.includes('Zq9x8W7v6U5t4S3r'), withKnown);
  // A value that is not base64 text is not a blob: it goes through every rule.
  const prose = `the key is ${blob.slice(0, 60).replace(/[+/]/g, 'x')}9`;
  assert.notEqual(
    JSON.stringify(masker.maskPayload({ type: 'thinking', signature: prose }, 'llm')).includes(prose),
    true,
  );
});

test('shell lines: --password=, --password VALUE, mysql -p, sshpass, curl -u, NAME=value and export', () => {
  const cases: [string, string][] = [
    ['mysql -u root -pS3cr3tPass db', 'S3cr3tPass'],
    ['pg_dump --password=hunter2 app', 'hunter2'],
    ['vault login --token "s.abcdef123"', 's.abcdef123'],
    ['PGPASSWORD=letmein psql -h db', 'letmein'],
    ['export AWS_SECRET_ACCESS_KEY=abc/def+ghi', 'abc/def+ghi'],
    ["sshpass -p 'pw here' ssh host", 'pw here'],
    ['curl -u admin:adminpw https://x', 'adminpw'],
    ['sudo env API_TOKEN=zzz9 ./run.sh', 'zzz9'],
    // The tool need not be the first word.
    ['true mysql -uroot -pHidden9x', 'Hidden9x'],
    ['docker exec -it db mysql -uroot -pHidden9y app', 'Hidden9y'],
    ['kubectl exec pod -- curl -u svc:Hidden9z https://api', 'Hidden9z'],
    ['xargs -n1 sshpass -p Hidden9w ssh', 'Hidden9w'],
  ];
  for (const [line, value] of cases) {
    const out = masker.maskShellLine(line);
    assert.ok(!out.includes(value), `${line} → ${out}`);
    assert.match(out, /\[MASKED:shell-secret:[0-9a-f]{6}\]/, line);
  }
  for (const line of [
    'mkdir -p /tmp/x',
    'ls -la',
    'echo password',
    'grep -r token src/',
    'ssh -p2222 host',
    'docker run -p8080:80 nginx; mysql -uroot app',
  ]) {
    assert.equal(masker.maskShellLine(line), line);
  }
  const explained = masker.scanShellLine('mysql -pS3cr3t');
  assert.equal(explained.findings[0]!.detail, 'option or variable -p');
});

test('SSH payloads: the command, keystrokes and line of ssh.exec and ssh.command and the keys of ssh.input are read as shell lines', () => {
  const cases: [string, string][] = [
    ['mysql -u root -pS3cr3tPass db', 'S3cr3tPass'],
    ['curl -u admin:adminpw https://x', 'adminpw'],
    ["sshpass -p 'pw here' ssh host", 'pw here'],
  ];
  for (const [line, value] of cases) {
    const payloads: JsonObject[] = [
      { channel: 0, command: line },
      { channel: 1, index: 3, command: line, t: 2.5, offset: 10, source: 'keystrokes' },
      { channel: 1, t: 2.4, data: `${line}\r` },
      // A line read from the screen keeps its keys beside it; a continued line keeps its last part.
      { channel: 1, index: 4, command: 'ls', keystrokes: line, t: 2.6, offset: 12, source: 'screen' },
      { channel: 1, index: 5, command: 'ls', line, t: 2.7, offset: 14, source: 'keystrokes' },
    ];
    for (const payload of payloads) {
      const out = JSON.stringify(masker.maskPayload(payload, 'box'));
      assert.ok(!out.includes(value), out);
      assert.match(out, /\[MASKED:shell-secret:[0-9a-f]{6}\]/);
    }
  }
  // Other fields of the payload keep their values; a harmless line is unchanged.
  const plain = { channel: 2, index: 0, command: 'ls -la /tmp', t: 1, offset: 0, source: 'screen' };
  assert.deepEqual(masker.maskPayload(plain, 'box'), plain);
});

test('ssh.output: an echo that arrives a key per frame is read as one text; frames keep their times', () => {
  const line = 'docker exec db mysql -uroot -pHidden9q --version';
  const frames: JsonValue[] = [
    [0.1, 'o', 'vigil-test$ '],
    ...[...line].map((c, i) => [0.2 + i / 100, 'o', c]),
    [1, 'r', '80x24'],
    [1.1, 'o', '\r\n'],
  ];
  const out = masker.maskPayload({ channel: 0, offset: 0, frames }, 'box') as {
    frames: [number, string, string][];
  };
  assert.equal(out.frames.length, frames.length);
  assert.deepEqual(
    out.frames.map((f) => f[0]),
    frames.map((f) => (f as [number])[0]),
  );
  const text = out.frames
    .filter((f) => f[1] === 'o')
    .map((f) => f[2])
    .join('');
  assert.ok(!text.includes('Hidden9q'), text);
  assert.match(
    text,
    /^vigil-test\$ docker exec db mysql -uroot -p\[MASKED:shell-secret:[0-9a-f]{6}\] --version\r\n$/,
  );
  const plain = { channel: 0, offset: 0, frames: [[0, 'o', 'mkdir -p /tmp/x\r\n'] as JsonValue] };
  assert.deepEqual(masker.maskPayload(plain, 'box'), plain);
});
