import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { test } from 'node:test';
import fc from 'fast-check';
import { type ScpFile, ScpStream, scpCommand } from './scp-stream.js';

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

function sender(files: readonly { name: string; data: Buffer }[]): Buffer {
  const parts: Buffer[] = [Buffer.from('D0755 0 dir\n')];
  for (const f of files) {
    parts.push(Buffer.from(`T1 0 1 0\nC0644 ${f.data.length} ${f.name}\n`), f.data, Buffer.from([0]));
  }
  parts.push(Buffer.from('E\n'));
  return Buffer.concat(parts);
}

test('each file of an scp stream is recorded with its size and SHA-256, however the stream is split', () => {
  const fileArb = fc.record({
    name: fc.constantFrom('a.txt', 'b c.bin', 'ü.dat'),
    data: fc.uint8Array({ maxLength: 40 }).map((a) => Buffer.from(a)),
  });
  fc.assert(
    fc.property(fc.array(fileArb, { minLength: 1, maxLength: 3 }), (files) => {
      const stream = sender(files);
      for (let cut = 0; cut <= stream.length; cut++) {
        const got: ScpFile[] = [];
        const scp = new ScpStream('upload', '/srv', (f) => got.push(f));
        scp.push(stream.subarray(0, cut));
        scp.push(stream.subarray(cut));
        scp.close();
        assert.deepEqual(
          got.map((f) => [f.path, f.size, f.sha256, f.target]),
          files.map((f) => [`dir/${f.name}`, f.data.length, sha(f.data), '/srv']),
        );
      }
    }),
  );
});

test('a file cut short is recorded as incomplete, without a digest', () => {
  const got: ScpFile[] = [];
  const scp = new ScpStream('download', '/x', (f) => got.push(f));
  scp.push(Buffer.from('C0644 10 x\nabc'));
  scp.close();
  assert.equal(got.length, 1);
  assert.equal(got[0]!.sha256, null);
  assert.match(got[0]!.incomplete ?? '', /ended before/);
});

test('scp commands are told apart from others', () => {
  assert.deepEqual(scpCommand('scp -t /tmp/x'), { direction: 'upload', target: '/tmp/x', uncertain: null });
  assert.deepEqual(scpCommand('scp -r -d -t -- /srv'), {
    direction: 'upload',
    target: '/srv',
    uncertain: null,
  });
  assert.deepEqual(scpCommand('scp -f /etc/hosts'), {
    direction: 'download',
    target: '/etc/hosts',
    uncertain: null,
  });
  assert.equal(scpCommand('ls -t'), null);
  assert.equal(scpCommand('scp a b'), null);
});

test('property: the pieces pass the stream on whole and in order, a file or directory line opening its path, however it is split', () => {
  const fileArb = fc.record({
    name: fc.constantFrom('a.txt', 'b c.bin', 'ü.dat'),
    data: fc.uint8Array({ maxLength: 40 }).map((a) => Buffer.from(a)),
  });
  fc.assert(
    fc.property(
      fc.array(fileArb, { minLength: 1, maxLength: 3 }),
      fc.constantFrom('upload', 'download'),
      (files, direction) => {
        const stream = sender(files);
        for (let cut = 0; cut <= stream.length; cut++) {
          const scp = new ScpStream(direction, '/srv/in', () => undefined);
          const pieces = [...scp.push(stream.subarray(0, cut)), ...scp.push(stream.subarray(cut))];
          assert.deepEqual(Buffer.concat(pieces.map((p) => p.bytes)), stream);
          // An upload's names are under its target; a download's sender names the target itself first.
          const base = direction === 'upload' ? '/srv/in' : '/srv';
          assert.deepEqual(
            pieces.flatMap((p) => (p.opens === null ? [] : [p.opens])),
            [`${base}/dir`, ...files.map((f) => `${base}/dir/${f.name}`)],
          );
          // A line is passed on only whole, with the path it opens.
          for (const p of pieces.filter((x) => x.opens !== null)) assert.equal(p.bytes.at(-1), 0x0a);
          assert.ok(pieces.every((p) => !p.unreadable));
        }
      },
    ),
  );
});

test('a name that leaves its directory, or a line past the bound, is unreadable', () => {
  for (const name of ['../../etc/passwd', '..', '.', 'a/b']) {
    const scp = new ScpStream('upload', '/srv', () => undefined);
    const pieces = scp.push(Buffer.from(`C0644 3 ${name}\nabc\0`));
    assert.match(pieces.find((p) => p.unreadable)?.unreadable ?? '', /leaves its directory/, name);
    assert.ok(
      pieces.every((p) => p.opens === null),
      name,
    );
  }
  const long = new ScpStream('upload', '/srv', () => undefined);
  assert.ok(long.push(Buffer.from(`C0644 3 ${'x'.repeat(5000)}`)).some((p) => p.unreadable));
});

test('scp commands whose file paths the host shell would expand, or with several paths, are uncertain', () => {
  assert.equal(
    scpCommand('scp -f /etc/sha*')?.uncertain,
    null,
    'a file glob: each file is named by its line',
  );
  assert.match(scpCommand('scp -f /e*/shadow')?.uncertain ?? '', /expands/);
  assert.match(scpCommand('scp -t $HOME/x')?.uncertain ?? '', /expands/);
  assert.match(scpCommand('scp -t ~root/x')?.uncertain ?? '', /expands/);
  assert.equal(scpCommand('scp -t ~/x')?.uncertain, null);
  assert.match(scpCommand('scp -f /etc/hosts /etc/shadow')?.uncertain ?? '', /more than one/);
  assert.equal(
    scpCommand("scp -t '/srv/a b'")?.target,
    '/srv/a b',
    'quotes are removed as the shell removes them',
  );
});
