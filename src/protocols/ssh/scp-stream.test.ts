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
  assert.deepEqual(scpCommand('scp -t /tmp/x'), { direction: 'upload', target: '/tmp/x' });
  assert.deepEqual(scpCommand('scp -r -d -t -- /srv'), { direction: 'upload', target: '/srv' });
  assert.deepEqual(scpCommand('scp -f /etc/hosts'), { direction: 'download', target: '/etc/hosts' });
  assert.equal(scpCommand('ls -t'), null);
  assert.equal(scpCommand('scp a b'), null);
});
