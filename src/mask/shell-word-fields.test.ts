// Secrets inside one word of a shell line (a JSON body, a URL's query, a YAML line echoed into a
// file, an option's NAME=value, a header given through git -c) and options of tools that take a
// password under a name shell-line.ts did not know (keytool -storepass, zip -P, 7z -p…, az login
// -p, lftp -u user,…). Each value is masked whole; words that name no secret stay.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MASK, maskedLinePattern as pattern } from '../../test/support/masked-line.js';
import { createMasker } from './masker.js';

const masker = createMasker({ fingerprintKey: 'shell-word-fields-test-key-0123456789' });
const S = 'amber-tide-lullaby';
const W = 'amber tide lullaby';

test('fields inside a word and further tools’ password options are masked', () => {
  const cases: [string, string][] = [
    [`curl https://x --data-raw '{"api_key":"${W}"}'`, `curl https://x --data-raw '{"api_key":"${MASK}"}'`],
    [
      `curl -d '{"user":"ann","client_secret":"${W}"}' https://x`,
      `curl -d '{"user":"ann","client_secret":"${MASK}"}' https://x`,
    ],
    [
      `curl "https://api.x/v1?access_token=${S}&page=2"`,
      `curl "https://api.x/v1?access_token=${MASK}&page=2"`,
    ],
    [`echo "password: ${W}" >> config.yml`, `echo "password: ${MASK}" >> config.yml`],
    [`terraform apply -var='api_token=${S}'`, `terraform apply -var='api_token=${MASK}'`],
    [`helm install x --set db.apiToken=${S}`, `helm install x --set db.apiToken=${MASK}`],
    [
      `git -c http.extraheader="AUTHORIZATION: basic ${S}" clone https://x`,
      `git -c http.extraheader="AUTHORIZATION: basic ${MASK}" clone https://x`,
    ],
    [`keytool -list -storepass ${S}`, `keytool -list -storepass ${MASK}`],
    [`jarsigner -storepass ${S} a.jar k`, `jarsigner -storepass ${MASK} a.jar k`],
    [`zip -P ${S} a.zip f`, `zip -P ${MASK} a.zip f`],
    [`7z a -p${S} a.7z f`, `7z a -p${MASK} a.7z f`],
    [`sshpass -p${S} ssh h`, `sshpass -p${MASK} ssh h`],
    [`az login -u ann -p ${S}`, `az login -u ann -p ${MASK}`],
    [`lftp -u ann,${S} ftp.example.test`, `lftp -u ann,${MASK} ftp.example.test`],
    [`tool -password ${S}`, `tool -password ${MASK}`],
    [`tool -passphrase=${S}`, `tool -passphrase=${MASK}`],
  ];
  for (const [line, expected] of cases) {
    const out = masker.maskShellLine(line);
    assert.ok(!out.includes(S) && !out.includes(W), `${line} → ${out}`);
    assert.match(out, pattern(expected), line);
  }
});

test('words that name no secret stay', () => {
  for (const line of [
    `curl -d '{"name":"ann","max_tokens":5}' https://x`,
    'curl "https://x/search?q=password+reset&page=2"',
    'echo "status: ok" >> log.txt',
    'terraform apply -var="region=eu-west-1"',
    'helm install x --set image.tag=1.2.3',
    'java -Dtoken.count=5 -jar a.jar',
    'git -c core.editor=vim commit',
    'git -c http.extraheader="Accept: text/plain" fetch',
    'docker run -p 8080:80 app',
    'mysql -u root -p',
    'go test -run=TestToken ./...',
    'find . -name "*.pem" -newer x',
    'grep -rn "password" src/',
  ])
    assert.equal(masker.maskShellLine(line), line);
});
