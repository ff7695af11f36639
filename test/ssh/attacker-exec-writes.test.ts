// A remote command writes files too: `cat > /etc/x`, `tee`, `cp`, `dd of=`, `sed -i`, `tar -C`,
// a redirection anywhere in the line or inside `sh -c`. Until 7 December an exec was judged by its
// command line alone: with `default: deny`, an allow on the commands (`^(cat|tee|…) `) and file
// rules that let uploads only into open/, every one of these wrote a file outside open/ that an
// sftp or scp upload could not. Now the paths a command writes by its text are judged as uploads
// (`ssh.file`, `via: exec`) before it runs, and a target the shell expands is refused.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { sshFixtureForFile } from './ssh-fixture.js';

/** Path segments that are names (no `.` or `..`), then the work directory's own name. */
const WORK = String.raw`(/[^/.][^/]*)*/vigil-ssh-work-\w+`;
const { missing, f } = sshFixtureForFile({
  policy: {
    default: 'deny',
    rules: [
      {
        name: 'writers',
        match: { events: ['ssh.exec'], pattern: '^(cat|tee|cp|dd|sed|tar|echo|sh|ls) ' },
        action: 'allow',
      },
      {
        name: 'open-files',
        match: { events: ['ssh.file'], pattern: `^upload ${WORK}/open/` },
        action: 'allow',
      },
    ],
  },
});

test('an allowed command does not write where an upload would be refused', {
  skip: missing ?? false,
}, async () => {
  const w = f().work;
  mkdirSync(join(w, 'open'), { recursive: true });
  mkdirSync(join(w, 'closed-dir'), { recursive: true });
  writeFileSync(join(w, 'open', 'src'), 'a\n');
  writeFileSync(join(w, 'closed-sed'), 'a\n');
  mkdirSync(join(w, 'pack'), { recursive: true });
  writeFileSync(join(w, 'pack', 'closed-tar'), 'x\n');
  execFileSync('tar', ['cf', join(w, 'open', 'a.tar'), '-C', join(w, 'pack'), 'closed-tar']);
  const written: string[] = [];
  for (const [command, file] of [
    [`cat > ${w}/closed-1`, 'closed-1'],
    [`tee ${w}/closed-2`, 'closed-2'],
    [`cp ${w}/open/src ${w}/closed-3`, 'closed-3'],
    [`dd of=${w}/closed-4 status=none`, 'closed-4'],
    [`echo hi >>${w}/closed-5`, 'closed-5'],
    [`>${w}/closed-6 echo hi`, 'closed-6'],
    [`sh -c 'echo hi > ${w}/closed-7'`, 'closed-7'],
    [`ls ${w} 2>&1 | tee -a ${w}/open/log ${w}/closed-8`, 'closed-8'],
    [`tar xf ${w}/open/a.tar -C ${w}/closed-dir`, 'closed-dir/closed-tar'],
  ] as const) {
    const run = await f().ssh('alice', ['alice@127.0.0.1', command], 'x\n');
    if (existsSync(join(w, file))) written.push(command);
    assert.equal(run.code, 126, `${command}: ${run.stderr}`);
    assert.match(run.stderr, /policy_denied/, command);
  }
  const sed = await f().ssh('alice', ['alice@127.0.0.1', `sed -i s/a/b/ ${w}/closed-sed`]);
  assert.equal(sed.code, 126, sed.stderr);
  if (readFileSync(join(w, 'closed-sed'), 'utf8') !== 'a\n') written.push('sed -i');
  assert.deepEqual(written, [], 'a command wrote a file no upload could');
  // The refused write is recorded as a file action, with the command that would have made it.
  const [events] = (await f().sessions({ identity: 'alice' })).slice(-1);
  const file = events!.find((e) => e.type === 'ssh.file');
  assert.equal(file?.payload?.via, 'exec');
  assert.equal(file?.payload?.operation, 'upload');
  assert.equal(file?.payload?.by, 'sed');
});

test('a write the text cannot name is refused; one into an allowed place runs', {
  skip: missing ?? false,
}, async () => {
  const w = f().work;
  mkdirSync(join(w, 'open'), { recursive: true });
  for (const command of [
    `echo hi > "$(echo ${w}/closed-sub)"`,
    `echo hi > ${w}/closed-*`,
    `cat > \${HOME}/closed-var`,
  ]) {
    const run = await f().ssh('alice', ['alice@127.0.0.1', command]);
    assert.equal(run.code, 126, `${command}: ${run.stderr}`);
    assert.match(run.stderr, /statement_uncertain/, command);
  }
  assert.equal(existsSync(join(w, 'closed-sub')), false);
  const ok = await f().ssh(
    'alice',
    ['alice@127.0.0.1', `cat > ${w}/open/fine && cat ${w}/open/fine`],
    'data\n',
  );
  assert.equal(ok.code, 0, ok.stderr);
  assert.equal(readFileSync(join(w, 'open', 'fine'), 'utf8'), 'data\n');
  const [events] = (await f().sessions({ identity: 'alice' })).slice(-1);
  const file = events!.find((e) => e.type === 'ssh.file');
  assert.equal(file?.payload?.path, `${w}/open/fine`);
});
