// Passwords and keys given to command-line tools as people and agents type them: each value is
// masked whole (a password of words joined by dashes, which no text rule takes for a secret), and
// the same options of other commands are left alone.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MASK, maskedLinePattern as pattern } from '../../test/support/masked-line.js';
import { createMasker } from './masker.js';

const masker = createMasker({ fingerprintKey: 'shell-line-test-key-0123456789' });
const S = 'amber-tide-lullaby';

test('secret options, headers, arguments and .netrc entries are masked, the rest of the line kept', () => {
  const cases: [string, string][] = [
    [`curl -ualice:${S} https://x`, `curl -ualice:${MASK} https://x`],
    [`curl --user=alice:${S} https://x`, `curl --user=alice:${MASK} https://x`],
    [`curl -U proxy:${S} https://x`, `curl -U proxy:${MASK} https://x`],
    [`curl -H 'X-Api-Key: ${S}' https://x`, `curl -H 'X-Api-Key: ${MASK}' https://x`],
    [`curl -H "Authorization: Token ${S}" https://x`, `curl -H "Authorization: Token ${MASK}" https://x`],
    [
      `curl -H 'Proxy-Authorization: Basic ${S}' https://x`,
      `curl -H 'Proxy-Authorization: Basic ${MASK}' https://x`,
    ],
    [`wget --header='Cookie: sid=${S}' https://x`, `wget --header='Cookie: ${MASK}' https://x`],
    [`curl -b 'sid=${S}' https://x`, `curl -b '${MASK}' https://x`],
    [`docker login -u bob -p ${S} registry.test`, `docker login -u bob -p ${MASK} registry.test`],
    [`redis-cli -h cache -a ${S} ping`, `redis-cli -h cache -a ${MASK} ping`],
    [`mongosh -u admin -p ${S}`, `mongosh -u admin -p ${MASK}`],
    [`sqlcmd -S db -U sa -P ${S}`, `sqlcmd -S db -U sa -P ${MASK}`],
    [`ldapsearch -x -D cn=admin -w ${S}`, `ldapsearch -x -D cn=admin -w ${MASK}`],
    [`ssh-keygen -N '${S}' -f key`, `ssh-keygen -N '${MASK}' -f key`],
    [`openssl pkcs12 -in a.p12 -passin pass:${S}`, `openssl pkcs12 -in a.p12 -passin pass:${MASK}`],
    [`docker run -e API_TOKEN=${S} app`, `docker run -e API_TOKEN=${MASK} app`],
    [`declare -x API_KEY=${S}`, `declare -x API_KEY=${MASK}`],
    [`heroku config:set API_KEY=${S}`, `heroku config:set API_KEY=${MASK}`],
    [`aws configure set aws_secret_access_key ${S}`, `aws configure set aws_secret_access_key ${MASK}`],
    [
      `npm config set //registry.npmjs.org/:_authToken ${S}`,
      `npm config set //registry.npmjs.org/:_authToken ${MASK}`,
    ],
    [`machine api.test login bob password ${S}`, `machine api.test login bob password ${MASK}`],
    [
      `printf 'machine h login bob password ${S}\\n' > ~/.netrc`,
      `printf 'machine h login bob password ${MASK}\\n' > ~/.netrc`,
    ],
    [`  password ${S}`, `  password ${MASK}`],
  ];
  for (const [line, expected] of cases) {
    const out = masker.maskShellLine(line);
    assert.ok(!out.includes(S), `${line} → ${out}`);
    assert.match(out, pattern(expected), line);
  }
});

test('the same options of other commands, and harmless words, stay', () => {
  for (const line of [
    'docker run -p 8080:80 -u 1000 app',
    'mkdir -p /tmp/a',
    'redis-cli -h cache ping',
    'curl -H "Accept: application/json" https://x',
    'curl -u alice https://x',
    'git config set user.name bob',
    'openssl rand -base64 32',
    'echo password please',
    'ls -a /tmp',
  ])
    assert.equal(masker.maskShellLine(line), line);
});
