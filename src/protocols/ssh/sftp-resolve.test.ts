import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SftpPathResolver } from './sftp-resolve.js';

/** A host that answers REALPATH and READLINK from a table: a name, or a status code. */
function fakeHost(answers: Record<string, string | number>, readlinks: Record<string, string> = {}) {
  const asked: { type: number; id: number; path: string }[] = [];
  const resolver: SftpPathResolver = new SftpPathResolver((packet) => {
    const type = packet[4]!;
    const id = packet.readUInt32BE(5);
    const path = packet.subarray(13).toString('utf8');
    asked.push({ type, id, path });
    const answer = type === 19 ? (readlinks[path] ?? 4) : (answers[path] ?? 2);
    queueMicrotask(() => {
      const claimed = resolver.claims(typeof answer === 'string' ? name(id, answer) : status(id, answer));
      assert.ok(claimed, 'the answer to Vigil was not claimed');
    });
    return undefined;
  });
  return { resolver, asked };
}

function status(id: number, code: number): Buffer {
  const b = Buffer.alloc(4 + 1 + 4 + 4 + 4 + 4);
  b.writeUInt32BE(b.length - 4, 0);
  b[4] = 101;
  b.writeUInt32BE(id, 5);
  b.writeUInt32BE(code, 9);
  return b;
}

function name(id: number, text: string): Buffer {
  const t = Buffer.from(text);
  const b = Buffer.alloc(4 + 1 + 4 + 4 + 4 + t.length + 4 + 4);
  b.writeUInt32BE(b.length - 4, 0);
  b[4] = 104;
  b.writeUInt32BE(id, 5);
  b.writeUInt32BE(1, 9);
  b.writeUInt32BE(t.length, 13);
  t.copy(b, 17);
  return b;
}

test('a new name is resolved through its directory, an existing one whole when the request follows it', async () => {
  const { resolver } = fakeHost({ '/srv/open/root': '/', '/srv/open/pw': '/etc/passwd', '.': '/home/u' });
  assert.equal(await resolver.resolve('/srv/open/root/etc/x', false), null);
  const host = fakeHost({ '/srv/open/root/etc': '/etc', '/srv/open/pw': '/etc/passwd', '.': '/home/u' });
  assert.equal(await host.resolver.resolve('/srv/open/root/etc/x', false), '/etc/x');
  assert.equal(await host.resolver.resolve('/srv/open/pw', true), '/etc/passwd');
  assert.equal(await host.resolver.resolve('x', false), '/home/u/x');
});

test('a dangling link, an unresolvable directory or a name that is not UTF-8 is refused', async () => {
  const { resolver } = fakeHost({ '/srv': '/srv', '/srv/open': 3 }, { '/srv/dangling': '/etc/new' });
  await assert.rejects(resolver.resolve('/srv/dangling', true), /statement_uncertain|cannot be told/);
  await assert.rejects(resolver.resolve('/srv/open/x', false), /cannot be told/);
  await assert.rejects(resolver.resolve('/srv/\uFFFD/x', false), /not UTF-8/);
});

test("Vigil's own requests never take an id a client request awaits, and other replies pass to the client", async () => {
  const { resolver, asked } = fakeHost({ '/srv': '/srv' });
  resolver.sent(0x80000000);
  resolver.sent(0x80000001);
  await resolver.resolve('/srv/x', false);
  assert.ok(asked.every((a) => a.id !== 0x80000000 && a.id !== 0x80000001));
  assert.equal(resolver.claims(status(0x80000000, 0)), false, "the client's reply was taken");
});
