// The gateway's refusals may name an identity or quote a reason (`r_1 was withdrawn: an approval
// came from …, who was disabled`): recorded text, which the console drew as it came, so a bidi
// override in a reviewer's name reordered the rest of the line. describeError (web/src/api.ts) makes
// the message inert, as every other recorded text on the page.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ApiError, describeError } from '../../web/src/api.js';

const INVISIBLE = /[\u0000-\u001f\u007f\u200b-\u200f\u202a-\u202e\u2066-\u2069]/u;

test("a refusal naming a hostile identity is drawn with the name's controls as escapes", () => {
  const name = 'eve\u202Edesolc si tseuqer siht\u202C';
  const said = describeError(
    new ApiError(
      409,
      'approval_withdrawn',
      `r_1 was withdrawn: an approval came from ${name}, who was disabled`,
    ),
  );
  assert.doesNotMatch(said, INVISIBLE);
  assert.match(said, /^approval_withdrawn: r_1 was withdrawn: an approval came from eve\\u\{202E\}desolc/);
  assert.match(describeError(new Error('line\nbreak\u001b[31m')), /^line\\nbreak\\u\{1B\}\[31m$/);
});

test('an ordinary refusal reads as the gateway wrote it', () => {
  assert.equal(
    describeError(new ApiError(403, 'forbidden', 'this needs the admin role')),
    'forbidden: this needs the admin role',
  );
});
