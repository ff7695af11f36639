// Secret-named XML fields a model writes in its streamed answer (a SOAP login, an app.config's
// `<add key="ApiToken" value="…"/>`, a property list, XML inside a tool call's JSON arguments) through
// Vigil with `mask_responses: true`: the recorded copy masked them whole (xml-fields.ts), but the
// client's stream held JSON keys and `NAME=value` lines only, so the client read
// `<password>summer dance party</password>` in clear. The stream now holds an XML field to its
// closing tag or quote and masks it as the record does, whichever words the deltas cut.
//
// The HTTP API module's refusals are masked toward the client as recorded traffic is: they ran the
// text rules only, so a SOAP fault quoting the password of words it refused was recorded masked and
// sent in clear; the last test here holds it to the same reading.
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { after, before, test } from 'node:test';
import type OpenAI from 'openai';
import { connectionEvents, startTestGateway, type TestGateway, TOKENS } from '../support/gateway.js';
import { listenOnLoopback } from '../support/loopback.js';
import { type ModelClients, startOpenAiClients } from '../support/model-clients.js';

const V = {
  password: 'summer dance party',
  apiKey: 'velvet harbor fog',
  cdata: 'quiet meadow ember',
  pair: 'amber-tide-lullaby',
  plist: 'copper kettle morning',
  argument: 'lantern orchard seven',
};
const WORDS = ['summer', 'harbor', 'meadow', 'lullaby', 'kettle', 'orchard'];
const SOAP = [
  'Here is the request:\n',
  '<soap:Envelope><soap:Body><Login><username>ann</username>',
  `<password>${V.password}</password><ns:ApiKey xsi:type="xsd:string">${V.apiKey}</ns:ApiKey>`,
  `<secret><![CDATA[${V.cdata}]]></secret></Login></soap:Body></soap:Envelope>\n`,
  `<appSettings><add key="ApiToken" value="${V.pair}"/></appSettings>\n`,
  `<dict>\n  <key>password</key>\n  <string>${V.plist}</string>\n</dict>\nDone.`,
].join('');
const MASK = '\\[MASKED:secret-field:[0-9a-f]+\\]';

let clients: ModelClients<OpenAI>;
let gateway: TestGateway;
let viaVigil: OpenAI;
let soapUpstream: Server;
let soapGateway: TestGateway;

before(async () => {
  clients = await startOpenAiClients(
    'sk-upstream-only-vigil-knows-0418',
    { name: 'oa', mask_responses: true },
    {
      respond: (prompt) => {
        const asked = String(prompt.messages.at(-1)?.content ?? '');
        if (asked.includes('tool'))
          return {
            toolCalls: [
              {
                name: 'post',
                arguments: JSON.stringify({
                  body: `<auth><user>ann</user><secret>${V.argument}</secret></auth>`,
                }),
              },
            ],
          };
        return { text: `(${asked}) ${SOAP}` };
      },
    },
  );
  ({ gateway, viaVigil } = clients);
  // A SOAP service that refuses a login and quotes it back, in pieces that cut the password.
  soapUpstream = createServer((req, res) => {
    req.resume();
    req.on('end', async () => {
      res.writeHead(500, { 'content-type': 'text/xml; charset=utf-8' });
      const fault = `<soap:Fault><faultstring>login refused</faultstring><detail><password>${V.password}</password></detail></soap:Fault>`;
      for (let i = 0; i < fault.length; i += 9) {
        res.write(fault.slice(i, i + 9));
        await new Promise((r) => setImmediate(r));
      }
      res.end();
    });
  });
  process.env.VIGIL_TEST_SOAP_KEY = 'soap-upstream-key-0123456789';
  soapGateway = await startTestGateway({
    connections: [
      {
        name: 'soap',
        type: 'http',
        upstream: await listenOnLoopback(soapUpstream),
        credential: 'env:VIGIL_TEST_SOAP_KEY',
        allow: ['*'],
      },
    ],
  });
});

after(async () => {
  await clients?.close();
  await soapGateway?.close();
  await new Promise((r) => soapUpstream?.close(r));
});

async function recordedText(marker: string): Promise<string> {
  const [summary] = await gateway.store.ledger.listSessions({ search: marker });
  const events = await gateway.store.ledger.readSession(summary!.id);
  return JSON.stringify(events.filter((e) => e.type === 'llm.response').map((e) => e.payload));
}

test('the stand-in cuts the XML values across deltas', async () => {
  const deltas: string[] = [];
  const stream = await clients.direct.chat.completions.create({
    model: 'demo',
    messages: [{ role: 'user', content: 'xml-9200' }],
    stream: true,
  });
  for await (const chunk of stream) deltas.push(chunk.choices[0]?.delta?.content ?? '');
  assert.ok(deltas.join('').includes(V.password));
  assert.ok(!deltas.some((d) => d.includes(V.password)));
});

test('streamed XML fields of words do not reach the client, and are masked as recorded', async () => {
  let streamed = '';
  let pieces = 0;
  const stream = await viaVigil.chat.completions.create({
    model: 'demo',
    messages: [{ role: 'user', content: 'xml-9201' }],
    stream: true,
  });
  for await (const chunk of stream) {
    const piece = chunk.choices[0]?.delta?.content;
    if (piece) {
      streamed += piece;
      pieces++;
    }
  }
  // Still a stream: text before the first `<` is not held for a field.
  assert.ok(pieces > 3, `${pieces} pieces`);
  assert.ok(streamed.startsWith('(xml-9201) Here is the request:\n'), streamed);
  for (const w of WORDS) assert.ok(!streamed.includes(w), `${w} in ${streamed}`);
  for (const shape of [
    `<username>ann</username><password>${MASK}</password>`,
    `<ns:ApiKey xsi:type="xsd:string">${MASK}</ns:ApiKey>`,
    `<secret><!\\[CDATA\\[${MASK}\\]\\]></secret>`,
    `<add key="ApiToken" value="${MASK}"/>`,
    `<key>password</key>\\n  <string>${MASK}</string>\\n</dict>\\nDone\\.$`,
  ])
    assert.match(streamed, new RegExp(shape), shape);
  // The client reads what the record holds.
  const record = await recordedText('xml-9201');
  for (const w of WORDS) assert.ok(!record.includes(w), record);
  const masks = streamed.match(new RegExp(MASK, 'g'))!;
  assert.equal(masks.length, 5);
  for (const masked of masks) assert.ok(record.includes(masked), masked);
});

test("an XML field inside a tool call's streamed JSON arguments does not reach the client", async () => {
  let args = '';
  const stream = await viaVigil.chat.completions.create({
    model: 'demo',
    messages: [{ role: 'user', content: 'tool xml-9202' }],
    tools: [{ type: 'function', function: { name: 'post', parameters: { type: 'object' } } }],
    stream: true,
  });
  for await (const chunk of stream)
    args += chunk.choices[0]?.delta?.tool_calls?.[0]?.function?.arguments ?? '';
  assert.ok(!args.includes('orchard'), args);
  assert.match(args, new RegExp(`^\\{"body":"<auth><user>ann</user><secret>${MASK}</secret></auth>"\\}$`));
  const record = await recordedText('xml-9202');
  assert.ok(!record.includes('orchard'), record);
  assert.ok(record.includes(args.match(new RegExp(MASK))![0]), record);
});

test('an HTTP API refusal quoting an XML password reaches the client masked as it is recorded', async () => {
  const res = await fetch(`${soapGateway.url}/c/soap/AuthService.asmx`, {
    method: 'POST',
    headers: { authorization: `Bearer ${TOKENS.alice}`, 'content-type': 'text/xml; charset=utf-8' },
    body: '<Login><username>ann</username></Login>',
  });
  assert.equal(res.status, 500);
  const text = await res.text();
  assert.ok(!text.includes('summer'), text);
  assert.match(text, new RegExp(`<detail><password>${MASK}</password></detail></soap:Fault>$`));
  const [response] = await connectionEvents(soapGateway, 'soap', 'http.response');
  const recorded = JSON.stringify(response!.payload);
  assert.ok(!recorded.includes('summer'), recorded);
  assert.ok(recorded.includes(text.match(new RegExp(MASK))![0]), recorded);
});
