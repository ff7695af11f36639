// A client denied reads of the vault could still list it: SFTP's looks at a path (OPENDIR with
// READDIR, STAT, LSTAT, READLINK, REALPATH) were passed on unjudged, so `ls -l vault` with the real
// OpenSSH sftp client showed every name and size there, directly or through a link made outside
// Vigil. Since 7 December 2026 a look is an ssh.file action (`list DIR`, `stat PATH`) judged where
// it leads; a listing is also read as `download DIR/`, so a rule that denies reading a directory's
// files hides its names and sizes too, and a rule on `stat` hides one file's attributes. The
// refusal is the PERMISSION_DENIED status the client expects.
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { sshFixtureForFile } from './ssh-fixture.js';

const WORK = String.raw`(/[^/.][^/]*)*/vigil-ssh-work-\w+`;
const { missing, f } = sshFixtureForFile({
  policy: {
    rules: [
      {
        name: 'no-vault-reads',
        match: { events: ['ssh.file'], pattern: `^download ${WORK}/vault/` },
        action: 'deny',
      },
      {
        name: 'no-other-looks',
        match: { events: ['ssh.file'], pattern: `^stat ${WORK}/other/` },
        action: 'deny',
      },
    ],
  },
});

/** A name only the vault holds, and a size no other file has. */
const HIDDEN = 'payroll-2026-hidden-name';

const setUp = () => {
  const w = f().work;
  if (existsSync(join(w, 'vault'))) return;
  mkdirSync(join(w, 'open'));
  mkdirSync(join(w, 'vault'));
  writeFileSync(join(w, 'vault', HIDDEN), 'x'.repeat(4243));
  writeFileSync(join(w, 'open', 'visible.txt'), 'open');
  symlinkSync(join(w, 'vault'), join(w, 'open', 'x'));
  mkdirSync(join(w, 'other'));
  writeFileSync(join(w, 'other', HIDDEN), 'x'.repeat(4243));
  symlinkSync(join(w, 'other'), join(w, 'open', 'y'));
};

test('the vault cannot be listed, directly or through a link, when reading it is denied', {
  skip: missing ?? false,
}, async () => {
  setUp();
  const w = f().work;
  const tries = [
    `ls -l ${w}/vault`,
    `ls -l ${w}/vault/`,
    `ls -l ${w}/open/x/`,
    `cd ${w}/vault\nls -l`,
    // A rule on `stat` hides one file's attributes, directly and through a link.
    `ls -l ${w}/other/${HIDDEN}`,
    `ls -l ${w}/open/y/${HIDDEN}`,
  ];
  for (const line of tries) {
    const run = await f().sftp(`${line}\n`);
    // What the host answered, without sftp's echo of the commands it was given.
    const shown = run.stdout
      .split('\n')
      .filter((l) => !l.startsWith('sftp>'))
      .join('\n');
    assert.doesNotMatch(shown, new RegExp(HIDDEN), `${line} listed the vault: ${shown}`);
    assert.doesNotMatch(shown, /4243/, `${line} showed the vault file's size: ${shown}`);
    // sftp words a refused glob as "not found", a refused listing or cd as "Permission denied".
    assert.match(run.stderr, /[Pp]ermission denied|not found/, `${line}: ${run.stderr}`);
  }
  const events = await f().events();
  const listing = events.find(
    (e) =>
      e.type === 'ssh.file' &&
      (e.payload as { operation?: string }).operation === 'list' &&
      (e.payload as { resolved_path?: string }).resolved_path === `${w}/vault`,
  );
  assert.ok(listing, 'the listing through the link was recorded with where it led');
  // Each refused look is recorded with a deny decision whose reason names the rule.
  const refused = events.filter(
    (e) =>
      e.type === 'ssh.file' &&
      ['stat', 'list'].includes((e.payload as { operation?: string }).operation ?? '') &&
      (e.payload as { refused?: string }).refused === 'policy_denied',
  );
  assert.ok(refused.length >= tries.length, `only ${refused.length} looks were refused`);
  for (const rule of ['no-vault-reads', 'no-other-looks']) {
    assert.ok(
      events.some(
        (e) =>
          e.type === 'policy.decision' &&
          (e.payload as { action?: string }).action === 'deny' &&
          String((e.payload as { reason?: string }).reason).includes(`rule ${rule}:`),
      ),
      `no refusal by ${rule} was recorded`,
    );
  }
});

test('listing elsewhere still works, and is recorded', { skip: missing ?? false }, async () => {
  setUp();
  const w = f().work;
  const run = await f().sftp(`ls -l ${w}/open\ncd ${w}/open\nls\n`);
  assert.equal(run.code, 0, run.stderr);
  assert.match(run.stdout, /visible\.txt/);
  const events = await f().events();
  assert.ok(
    events.some(
      (e) =>
        e.type === 'ssh.file' &&
        (e.payload as { operation?: string }).operation === 'list' &&
        (e.payload as { path?: string }).path === `${w}/open`,
    ),
    'the listing was recorded',
  );
});
