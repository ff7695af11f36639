// The unlabelled part of the corpus: secrets that carry no prefix or label (key fragments echoed by
// a model, bare generated tokens, JWK members, DER blobs, values bound by column in SQL), and the
// harmless look-alikes they must not be confused with (UUIDs, hashes, images, minified code, SQL
// literals, identifiers, public keys). Keys are generated per run; other values are synthetic.
import { createHash } from 'node:crypto';
import { ALPHABETS, seededRandom, synth } from '../../../src/mask/synthetic.js';
import { fragments, generateTestKeys } from '../../support/private-keys.js';

export interface LabelledSample {
  readonly cls: string;
  readonly kind: 'secret' | 'look-alike';
  readonly text: string;
  /** Substrings that must be masked (as they appear in `text`); empty for a look-alike. */
  readonly secrets: readonly string[];
  /** A db.query payload instead of text (bind parameters are only masked by structure). */
  readonly payload?: { statement: string; parameters: string[] };
}

const CHAT = [
  (x: string) => `Sure! Here is the part you asked about:\n\n${x}\n\nLet me know if you need the rest.`,
  (x: string) => `\`\`\`\n${x}\n\`\`\``,
  (x: string) => `${x}\n-----END PRIVATE KEY-----`,
  (x: string) => JSON.stringify({ role: 'assistant', content: `The key continues:\n${x}` }),
  (x: string) => `> ${x.replace(/\n/g, '\n> ')}`,
];

function keySamples(): LabelledSample[] {
  const out: LabelledSample[] = [];
  let w = 0;
  for (const key of [...generateTestKeys(), ...generateTestKeys()]) {
    const frs = fragments(key, 6);
    if (frs.length === 0) frs.push({ lines: [...key.bodyLines], withEnd: true });
    for (const f of frs) {
      const wrap = CHAT[w++ % CHAT.length]!;
      const block = f.lines.join('\n');
      const text = wrap(f.withEnd ? `${block}\n${key.endLine}` : block);
      const shown = text.includes(block)
        ? block
        : text.includes(f.lines.join('\\n'))
          ? f.lines.join('\\n')
          : f.lines.join('\n> ');
      out.push({ cls: 'key-fragment', kind: 'secret', text, secrets: [shown] });
    }
  }
  return out;
}

function bareTokens(): LabelledSample[] {
  const phrasings = [
    (v: string) => `use ${v} for the staging environment`,
    (v: string) => `${v}`,
    (v: string) => `- prod: ${v}\n- dev: see vault`,
    (v: string) => `I rotated it, the new one is ${v}.`,
    (v: string) => `| staging | ${v} |`,
    (v: string) => `"${v}"`,
  ];
  const out: LabelledSample[] = [];
  for (let i = 0; i < 60; i++) {
    const v =
      i % 4 === 0
        ? synth(40, ALPHABETS.base64, `bare-aws-${i}`)
        : i % 4 === 1
          ? synth(32 + (i % 9), ALPHABETS.alnum, `bare-alnum-${i}`)
          : i % 4 === 2
            ? synth(64, ALPHABETS.hex, `bare-hex-${i}`)
            : synth(43, ALPHABETS.urlSafe, `bare-url-${i}`);
    out.push({ cls: 'bare-token', kind: 'secret', text: phrasings[i % phrasings.length]!(v), secrets: [v] });
  }
  return out;
}

function labelledTokens(): LabelledSample[] {
  const words = [
    'my api key is',
    'the secret:',
    'token ->',
    'password is',
    'credential',
    'auth',
    'private key is',
    'session cookie',
  ];
  const out: LabelledSample[] = [];
  for (let i = 0; i < 40; i++) {
    const v = synth(16 + (i % 16), i % 3 === 0 ? ALPHABETS.hex : ALPHABETS.alnum, `labelled-${i}`);
    out.push({
      cls: 'labelled-token',
      kind: 'secret',
      text: `${words[i % words.length]} ${v} (do not share)`,
      secrets: [v],
    });
  }
  return out;
}

function jwkAndDer(): LabelledSample[] {
  const out: LabelledSample[] = [];
  for (let i = 0; i < 6; i++) {
    for (const key of generateTestKeys().slice(0, 4)) {
      const der = Buffer.from(key.bodyLines.join(''), 'base64').toString('base64');
      if (i % 2 === 0)
        out.push({ cls: 'der-blob', kind: 'secret', text: `PRIVATE_KEY_DER=${der}`, secrets: [der] });
      else
        out.push({ cls: 'der-blob', kind: 'secret', text: `{"key": "${der}", "alg": "x"}`, secrets: [der] });
    }
  }
  for (let i = 0; i < 24; i++) {
    const d = synth(43, ALPHABETS.urlSafe, `jwk-d-${i}`);
    const k = synth(22, ALPHABETS.urlSafe, `jwk-k-${i}`);
    out.push(
      i % 2 === 0
        ? {
            cls: 'jwk',
            kind: 'secret',
            text: `{"kty":"EC","crv":"P-256","x":"${synth(43, ALPHABETS.urlSafe, `x${i}`)}","y":"${synth(43, ALPHABETS.urlSafe, `y${i}`)}","d":"${d}"}`,
            secrets: [d],
          }
        : { cls: 'jwk', kind: 'secret', text: `{"kty": "oct", "k": "${k}", "alg": "HS256"}`, secrets: [k] },
    );
  }
  return out;
}

function bindParameters(): LabelledSample[] {
  const statements = [
    ['INSERT INTO users(name, password) VALUES ($1, $2)', 2],
    ['insert into accounts (email, api_key, plan) values ($1, $2, $3)', 2],
    ['UPDATE users SET password = $1 WHERE id = $2', 1],
    ['SELECT id FROM sessions WHERE token = $1 AND revoked = false', 1],
    ['INSERT INTO `users` (`login`, `passwd`) VALUES (?, ?)', 2],
    ['UPDATE cards SET card_number = ?, cvv = ? WHERE owner = ?', 1],
  ] as const;
  const out: LabelledSample[] = [];
  for (let i = 0; i < 42; i++) {
    const [statement, index] = statements[i % statements.length]!;
    const value = i % 3 === 0 ? 'hunter2' : i % 3 === 1 ? `Tr0ub4dor&${i}` : 'correct horse battery staple';
    const parameters = ['alice', 'x', 'y'];
    parameters[index - 1] = value;
    out.push({
      cls: 'bind-parameter',
      kind: 'secret',
      text: '',
      secrets: [value],
      payload: { statement, parameters },
    });
  }
  return out;
}

function lookAlikes(): LabelledSample[] {
  const out: LabelledSample[] = [];
  const add = (cls: string, text: string) => out.push({ cls, kind: 'look-alike', text, secrets: [] });
  const next = seededRandom(99);
  const hex = (n: number, s: string) => synth(n, ALPHABETS.hex, s);
  // Seeded, as every value here but keys: a class whose samples change each run can fail by chance
  // (random UUIDs did, before the card rule learnt that 8-4-4 digits are not a card's grouping).
  const uuid = (s: string) => {
    const h = hex(32, s);
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20)}`;
  };
  for (let i = 0; i < 60; i++) {
    const id = uuid(`uuid-${i}`);
    const forms = [
      `2024-05-01T10:22:13Z INFO request_id=${id} status=200`,
      `{"id": "${id}", "type": "order"}`,
      `SELECT * FROM orders WHERE id = '${id}'`,
      `trace ${id.toUpperCase()} span ${uuid(`uuid-span-${i}`)}`,
    ];
    add('uuid', forms[i % forms.length]!);
  }
  for (let i = 0; i < 50; i++) {
    const sha = hex(40, `git-${i}`);
    const forms = [
      `commit ${sha}\nMerge: ${sha.slice(0, 7)} ${hex(7, `m-${i}`)}`,
      `git checkout ${sha}`,
      `Fixed in ${sha.slice(0, 12)} and ${hex(40, `git2-${i}`)}.`,
      `"sha": "${sha}", "ref": "refs/heads/main"`,
      `revision: ${sha}`,
    ];
    add('git-sha', forms[i % forms.length]!);
  }
  // The ids model providers give their objects, as they come back in every response and header.
  for (let i = 0; i < 50; i++) {
    const b62 = (n: number) => synth(n, ALPHABETS.alnum, `provider-${i}-${n}`);
    const forms = [
      `{"id": "chatcmpl-${b62(29)}", "object": "chat.completion", "created": 1764763200, "model": "gpt-4.1"}`,
      `{"id":"msg_01${b62(22)}","type":"message","role":"assistant","model":"claude-sonnet-4-5"}`,
      `{"type": "tool_use", "id": "toolu_01${b62(22)}", "name": "get_weather"}`,
      `request-id: req_011C${b62(20)}\nx-request-id: req_${hex(32, `xr-${i}`)}`,
      `{"id": "resp_${hex(48, `resp-${i}`)}", "output": [{"id": "fc_${hex(48, `fc-${i}`)}", "call_id": "call_${b62(24)}"}]}`,
      `{"id": "cmpl-${b62(29)}", "object": "text_completion"}`,
      `uploaded file-${b62(22)} to batch_${hex(32, `batch-${i}`)}; previous_response_id=resp_${hex(48, `prev-${i}`)}`,
      `{"type": "server_tool_use", "id": "srvtoolu_01${b62(22)}"}, {"id": "msgbatch_01${b62(22)}"}`,
    ];
    add('provider-id', forms[i % forms.length]!);
  }
  for (let i = 0; i < 50; i++) {
    const digest = createHash('sha256').update(`file-${i}`).digest('hex');
    const b64 = createHash('sha512').update(`pkg-${i}`).digest('base64');
    const forms = [
      `image: registry.example.com/app@sha256:${digest}`,
      `${digest}  release-${i}.tar.gz`,
      `"integrity": "sha512-${b64}"`,
      `SHA256 checksum: ${digest}`,
      `ETag: "${createHash('md5').update(`e${i}`).digest('hex')}"`,
      `digest ${digest}`,
      `256 SHA256:${createHash('sha256').update(`k${i}`).digest('base64').replace(/=+$/, '')} user@host (ED25519)`,
    ];
    add('named-hash', forms[i % forms.length]!);
  }
  for (let i = 0; i < 40; i++) {
    const magic = [
      Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
      Buffer.from([0xff, 0xd8, 0xff, 0xe0]),
      Buffer.from('GIF89a'),
      Buffer.from('RIFF\x00\x00\x00\x00WEBP'),
    ][i % 4]!;
    const body = Buffer.concat([magic, Buffer.from(synth(300 + i * 10, ALPHABETS.base64, `img-${i}`))]);
    const data = body.toString('base64');
    const mime = ['image/png', 'image/jpeg', 'image/gif', 'image/webp'][i % 4];
    const forms = [
      `<img src="data:${mime};base64,${data}">`,
      JSON.stringify({ type: 'image', source: { type: 'base64', media_type: mime, data } }),
      JSON.stringify({ type: 'image_url', image_url: { url: `data:${mime};base64,${data}` } }),
    ];
    add('base64-image', forms[i % forms.length]!);
  }
  const names = ['e', 't', 'n', 'r', 'o', 'i', 'a', 's', 'u', 'c'];
  for (let i = 0; i < 40; i++) {
    const v = () => names[Math.floor(next() * names.length)]!;
    const forms = [
      `!function(${v()},${v()}){"object"==typeof exports&&"undefined"!=typeof module?module.exports=${v()}():"function"==typeof define&&define.amd?define(${v()}):(${v()}="undefined"!=typeof globalThis?globalThis:${v()}||self).Vue=${v()}()}(this,function(){"use strict";`,
      `var ${v()}=function(${v()},${v()}){return ${v()}.getElementsByClassName("chunk-${hex(8, `c${i}`)}")},${v()}=__webpack_require__(${Math.floor(next() * 9999)});`,
      `//# sourceMappingURL=data:application/json;charset=utf-8;base64,${Buffer.from(JSON.stringify({ version: 3, sources: [`src/app${i}.ts`], mappings: 'AAAA,SAAS,CAAC;IACR,OAAO' })).toString('base64')}`,
      `<script src="/static/js/main.${hex(8, `m${i}`)}.chunk.js"></script><link href="/static/css/main.${hex(8, `n${i}`)}.css">`,
    ];
    add('minified-code', forms[i % forms.length]!);
  }
  const lorem =
    'Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor incididunt ut labore et dolore magna aliqua';
  for (let i = 0; i < 40; i++) {
    const forms = [
      `INSERT INTO notes (id, body) VALUES (${i}, '${lorem.repeat(1 + (i % 3))}')`,
      `SELECT * FROM events WHERE payload::text LIKE '%"type": "checkout_completed_${i}"%' AND created_at > '2024-01-${String((i % 28) + 1).padStart(2, '0')} 00:00:00'`,
      `UPDATE products SET description = 'Stainless steel water bottle, 750 ml, keeps drinks cold for 24 hours (model WB-${1000 + i})' WHERE sku = 'WB-${1000 + i}'`,
      `INSERT INTO audit(entity, diff) VALUES ('order', '{"status":["pending","paid"],"total":[${i}.5,${i}.5]}')`,
    ];
    add('sql-literal', forms[i % forms.length]!);
  }
  for (let i = 0; i < 40; i++) {
    const forms = [
      `at org.springframework.beans.factory.support.AbstractAutowireCapableBeanFactory.createBean(AbstractAutowireCapableBeanFactory.java:${500 + i})`,
      `kubectl logs deployment/checkout-service-7d4b9c8f5d-x${i}z9q -n production`,
      `/home/runner/work/app/app/node_modules/@typescript-eslint/typescript-estree/dist/parser.js:${i}`,
      `Downloading https://registry.npmjs.org/@babel/plugin-transform-async-generator-functions/-/plugin-transform-async-generator-functions-7.${i}.0.tgz`,
      `export const useInfiniteScrollWithIntersectionObserverAndPrefetching${i} = () => {}`,
    ];
    add('identifier', forms[i % forms.length]!);
  }
  // Temporary directories (mkdtemp's six random characters) inside paths: file transfers name them.
  for (let i = 0; i < 40; i++) {
    const suffix = synth(6, ALPHABETS.alnum, `tmp-${i}`);
    const forms = [
      `/tmp/vigil-ssh-work-${suffix}/creds-up.txt`,
      `put /tmp/build-${suffix}/release-notes.md /srv/www/releases/current/notes.md`,
      `/var/folders/xy/${suffix}0000gn/T/pytest-of-runner/pytest-${i}/test_upload0/data.csv`,
    ];
    add('identifier', forms[i % forms.length]!);
  }
  for (let i = 0; i < 30; i++) {
    const forms = [
      `ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAI${synth(43, ALPHABETS.base64, `pub-${i}`)} deploy@ci`,
      `-----BEGIN CERTIFICATE-----\nMIIB${synth(60, ALPHABETS.base64, `cert-${i}`)}\n${synth(64, ALPHABETS.base64, `cert2-${i}`)}\n-----END CERTIFICATE-----`,
      `-----BEGIN PUBLIC KEY-----\nMFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE${synth(52, ALPHABETS.base64, `pk-${i}`)}\n${synth(36, ALPHABETS.base64, `pk2-${i}`)}==\n-----END PUBLIC KEY-----`,
    ];
    add('public-key', forms[i % forms.length]!);
  }
  return out;
}

export function unlabelledCorpus(): LabelledSample[] {
  return [
    ...keySamples(),
    ...bareTokens(),
    ...labelledTokens(),
    ...jwkAndDer(),
    ...bindParameters(),
    ...lookAlikes(),
  ];
}
