// Secret-named XML fields through the gateway: a SOAP login sent to an HTTP API connection (the body
// is recorded as text), the upstream's SOAP answer holding a session token and an XML config with a
// name/value pair. Values are words, which no text rule takes for a secret; sent with fetch through
// the gateway to a real upstream, none may reach the data directory or the gateway's debug log.
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { after, before, test } from 'node:test';
import { type LoggedGateway, leaksIn, startLoggedGateway } from '../leak/logged-gateway.js';
import { TOKENS } from '../support/gateway.js';

const S = {
  soapPassword: 'lantern orchard seven',
  soapAnswer: 'copper-kettle-morning',
  configPair: 'velvet-harbor-fog',
  cdata: 'quiet meadow ember',
};

let upstream: Server;
let g: LoggedGateway;
let received = '';

before(async () => {
  upstream = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (c: string) => {
      body += c;
    });
    req.on('end', () => {
      received += body;
      res.writeHead(200, { 'content-type': 'text/xml; charset=utf-8' });
      res.end(
        `<?xml version="1.0"?><soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body><LoginResponse><SessionToken>${S.soapAnswer}</SessionToken></LoginResponse></soap:Body></soap:Envelope>`,
      );
    });
  });
  await new Promise<void>((r) => upstream.listen(0, '127.0.0.1', r));
  process.env.VIGIL_XML_FIELDS_API = 'api-credential-xml-0123456789abcdef';
  g = await startLoggedGateway({
    connections: [
      {
        name: 'soap',
        type: 'http',
        upstream: `http://127.0.0.1:${(upstream.address() as { port: number }).port}`,
        credential: 'env:VIGIL_XML_FIELDS_API',
        allow: ['*'],
      },
    ],
  });
});

after(async () => {
  await g?.gateway.close();
  await new Promise((r) => upstream?.close(r));
});

test('HTTP API: XML password elements, CDATA, name/value pairs and a SOAP answer token are masked', async () => {
  const base = `${g.gateway.url}/c/soap`;
  const headers = { authorization: `Bearer ${TOKENS.alice}`, 'content-type': 'text/xml; charset=utf-8' };
  const login = await fetch(`${base}/AuthService.asmx`, {
    method: 'POST',
    headers: { ...headers, soapaction: 'urn:Login' },
    body: `<?xml version="1.0"?><soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body><Login><UserName>ann</UserName><Password>${S.soapPassword}</Password><Secret><![CDATA[${S.cdata}]]></Secret></Login></soap:Body></soap:Envelope>`,
  });
  assert.equal(login.status, 200);
  // The client gets the answer as the upstream sent it (responses are recorded masked).
  assert.match(await login.text(), /<SessionToken>copper-kettle-morning<\/SessionToken>/);
  const config = await fetch(`${base}/config`, {
    method: 'PUT',
    headers,
    body: `<configuration><appSettings><add key="ApiToken" value="${S.configPair}"/></appSettings></configuration>`,
  });
  assert.equal(config.status, 200);
  await config.text();
  // The upstream got every value as sent: only the record is masked.
  for (const v of [S.soapPassword, S.cdata, S.configPair]) assert.ok(received.includes(v), v);
  await g.gateway.recorder.drain();
  assert.deepEqual(leaksIn(g.dataDir, Object.values(S)), []);
});
