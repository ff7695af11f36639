import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { VigilError } from '../core/errors.js';
import { loadConfigFile, parseConfigText, resolveSecret } from './load-config.js';

function configError(text: string): VigilError {
  try {
    parseConfigText(text, 'vigil.yaml');
  } catch (err) {
    if (!(err instanceof VigilError)) throw err;
    return err;
  }
  return assert.fail('expected the configuration to be refused');
}

test('an empty file gives the defaults', () => {
  const config = parseConfigText('', 'vigil.yaml');
  assert.equal(config.listen, '127.0.0.1:8080');
  assert.equal(config.on_record_failure, 'fail-closed');
  assert.equal(config.ledger.checkpoint_interval, 1000);
});

test('errors name the key and the line', () => {
  const err = configError(
    [
      'listen: 127.0.0.1:8080',
      'connections:',
      '  - name: openai',
      '    type: llm-openai',
      '    upstream: not a url',
      '',
    ].join('\n'),
  );
  assert.equal(err.code, 'config_invalid');
  assert.match(err.message, /vigil\.yaml:5: connections\[0\]\.upstream: must be an http\(s\) URL/);
});

test('an inline secret is refused: credentials are references only', () => {
  const err = configError(
    'connections:\n  - name: a\n    type: llm-openai\n    upstream: https://x.test\n    credential: sk-live-123\n',
  );
  assert.match(err.message, /:5: connections\[0\]\.credential: must be a secret reference/);
});

test('unknown keys and bad durations are reported', () => {
  assert.match(configError('listne: 1.2.3.4:5\n').message, /listne|Unrecognized key/);
  assert.match(
    configError('sessions:\n  idle_timeout: soon\n').message,
    /:2: sessions\.idle_timeout: must be a duration/,
  );
});

test('YAML syntax errors carry the line', () => {
  assert.match(configError('listen: [oops\n  data: x\n').message, /vigil\.yaml:\d+:/);
});

test('duplicate connection names are refused', () => {
  const text =
    'connections:\n' +
    ['a', 'a'].map((n) => `  - {name: ${n}, type: llm-openai, upstream: "http://x.test"}`).join('\n');
  assert.match(configError(text).message, /duplicate connection name "a"/);
});

test('secret references resolve from the environment and from files', () => {
  process.env.VIGIL_TEST_SECRET = 's3cret';
  assert.equal(resolveSecret('env:VIGIL_TEST_SECRET'), 's3cret');
  const dir = mkdtempSync(join(tmpdir(), 'vigil-cfg-'));
  writeFileSync(join(dir, 'key'), 'from-file\n');
  assert.equal(resolveSecret('file:key', dir), 'from-file');
  assert.throws(() => resolveSecret('env:VIGIL_TEST_MISSING'), /VIGIL_TEST_MISSING is not set/);
  assert.throws(
    () => resolveSecret('file:nope', dir),
    (e: VigilError) => e.code === 'secret_unresolved',
  );
});

test('the data directory is resolved relative to the configuration file', () => {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-cfg-'));
  writeFileSync(join(dir, 'vigil.yaml'), 'data: ./ledger\n');
  assert.equal(loadConfigFile(join(dir, 'vigil.yaml')).dataDir, join(dir, 'ledger'));
  assert.throws(
    () => loadConfigFile(join(dir, 'missing.yaml')),
    (e: VigilError) => e.code === 'config_not_found',
  );
});
