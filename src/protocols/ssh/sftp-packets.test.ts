import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { VigilError } from '../../core/errors.js';
import { parseReply, parseRequest, SFTP, SftpFramer, statusPacket } from './sftp-packets.js';

const u32 = (n: number) => {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n);
  return b;
};
const str = (s: string | Buffer) => {
  const b = Buffer.isBuffer(s) ? s : Buffer.from(s);
  return Buffer.concat([u32(b.length), b]);
};
const packet = (type: number, ...parts: Buffer[]) => {
  const body = Buffer.concat([Buffer.from([type]), ...parts]);
  return Buffer.concat([u32(body.length), body]);
};
const u64 = (n: number) => {
  const b = Buffer.alloc(8);
  b.writeBigUInt64BE(BigInt(n));
  return b;
};

function drain(framer: SftpFramer): Buffer[] {
  const out: Buffer[] = [];
  for (let p = framer.next(); p; p = framer.next()) out.push(Buffer.from(p));
  return out;
}

const packetArb = fc
  .tuple(fc.integer({ min: 1, max: 210 }), fc.uint8Array({ maxLength: 200 }))
  .map(([type, body]) => packet(type, Buffer.from(body)));

test('packets survive being split at every byte boundary', () => {
  fc.assert(
    fc.property(fc.array(packetArb, { minLength: 1, maxLength: 5 }), (packets) => {
      const stream = Buffer.concat(packets);
      for (let cut = 0; cut <= stream.length; cut++) {
        const framer = new SftpFramer(4096);
        framer.push(stream.subarray(0, cut));
        const got = drain(framer);
        framer.push(stream.subarray(cut));
        got.push(...drain(framer));
        assert.deepEqual(got, packets);
        assert.equal(framer.buffered, 0);
      }
    }),
  );
});

test('a packet over the limit is refused before it is buffered', () => {
  const framer = new SftpFramer(1024);
  framer.push(u32(1_000_000));
  assert.throws(
    () => framer.next(),
    (e: unknown) => e instanceof VigilError && e.code === 'message_too_large',
  );
});

test('the requests Vigil judges and the replies it follows are read', () => {
  assert.deepEqual(parseRequest(packet(SFTP.OPEN, u32(7), str('/etc/passwd'), u32(0x1a), u32(0))), {
    type: SFTP.OPEN,
    id: 7,
    path: '/etc/passwd',
    flags: 0x1a,
  });
  const write = parseRequest(
    packet(SFTP.WRITE, u32(8), str(Buffer.from([1, 2])), u64(5_000_000_000), str('data')),
  );
  assert.equal(write.type, SFTP.WRITE);
  assert.equal(write.type === SFTP.WRITE && write.offset, 5_000_000_000);
  assert.deepEqual(parseRequest(packet(SFTP.RENAME, u32(9), str('/a'), str('/b'))), {
    type: 'change',
    id: 9,
    operation: 'rename',
    path: '/a',
    target: '/b',
  });
  assert.deepEqual(parseReply(statusPacket(3, 3, 'no')), { type: SFTP.STATUS, id: 3, code: 3 });
  const handle = parseReply(packet(SFTP.HANDLE, u32(4), str(Buffer.from([0xab]))));
  assert.deepEqual(handle, { type: SFTP.HANDLE, id: 4, handle: 'ab' });
});

test('any packet is read or refused with a VigilError, never anything else', () => {
  fc.assert(
    fc.property(fc.integer({ min: 0, max: 255 }), fc.uint8Array({ maxLength: 64 }), (type, body) => {
      const p = packet(type, Buffer.from(body));
      for (const parse of [parseRequest, parseReply]) {
        try {
          parse(p);
        } catch (err) {
          assert.ok(err instanceof VigilError && err.code === 'protocol_violation', String(err));
        }
      }
    }),
  );
});

test("OpenSSH's extended requests that change a path read as the change they make", () => {
  const ext = (name: string, ...parts: Buffer[]) =>
    parseRequest(packet(SFTP.EXTENDED, u32(9), str(name), ...parts));
  assert.deepEqual(ext('posix-rename@openssh.com', str('/a'), str('/b')), {
    type: 'change',
    id: 9,
    operation: 'rename',
    path: '/a',
    target: '/b',
  });
  assert.deepEqual(ext('hardlink@openssh.com', str('/etc/shadow'), str('/tmp/s')), {
    type: 'change',
    id: 9,
    operation: 'hardlink',
    path: '/etc/shadow',
    target: '/tmp/s',
  });
  assert.deepEqual(ext('lsetstat@openssh.com', str('/l'), u32(0)), {
    type: 'change',
    id: 9,
    operation: 'setstat',
    path: '/l',
    target: null,
    size: null,
  });
  assert.deepEqual(ext('statvfs@openssh.com', str('/')), { type: 'other', id: 9 });
  // SSH_FXP_LINK (version 6: a link made on the host) and other types outside version 3 are not passed as reads.
  assert.deepEqual(parseRequest(packet(21, u32(3), str('/l'), str('/etc/shadow'), Buffer.from([0]))), {
    type: 'unknown-request',
    id: 3,
    code: 21,
  });
  // Looks at a path are read with it, to be judged; FSTAT and READDIR (by handle) pass.
  assert.deepEqual(parseRequest(packet(17, u32(3), str('/x'))), {
    type: 'look',
    id: 3,
    request: 'stat',
    operation: 'stat',
    path: '/x',
    follows: true,
  });
  assert.deepEqual(parseRequest(packet(11, u32(3), str('/d'))), {
    type: 'look',
    id: 3,
    request: 'opendir',
    operation: 'list',
    path: '/d',
    follows: true,
  });
  assert.equal(parseRequest(packet(7, u32(3), str('/l'))).type, 'look');
  assert.deepEqual(parseRequest(packet(8, u32(3), str(Buffer.from([1])))), { type: 'other', id: 3 });
  assert.deepEqual(parseRequest(packet(12, u32(3), str(Buffer.from([1])))), { type: 'other', id: 3 });
  const offset = Buffer.alloc(8);
  assert.deepEqual(ext('copy-data', str(Buffer.from([1])), offset, offset, str(Buffer.from([2])), offset), {
    type: 'copy-data',
    id: 9,
    from: '01',
    to: '02',
  });
  assert.deepEqual(ext('evil@example.com', str('/')), {
    type: 'unknown-extension',
    id: 9,
    name: 'evil@example.com',
  });
  assert.deepEqual(parseRequest(packet(SFTP.FSETSTAT, u32(4), str(Buffer.from([1, 2])), u32(0))), {
    type: SFTP.FSETSTAT,
    id: 4,
    handle: '0102',
    size: null,
  });
  // A size in the attributes (SSH_FILEXFER_ATTR_SIZE) truncates the file: it is read, by path and by handle.
  assert.deepEqual(parseRequest(packet(SFTP.FSETSTAT, u32(4), str(Buffer.from([1, 2])), u32(1), u64(0))), {
    type: SFTP.FSETSTAT,
    id: 4,
    handle: '0102',
    size: 0,
  });
  assert.deepEqual(parseRequest(packet(SFTP.SETSTAT, u32(5), str('/v'), u32(5), u64(7), u32(0o600))), {
    type: 'change',
    id: 5,
    operation: 'setstat',
    path: '/v',
    target: null,
    size: 7,
  });
  assert.throws(
    () => parseRequest(packet(SFTP.EXTENDED, u32(1), str('posix-rename@openssh.com'), str('/a'))),
    (err: unknown) => err instanceof VigilError && err.code === 'protocol_violation',
    'a truncated extended request is a protocol violation, not a pass',
  );
});

test('a look at any path is read with that path, whatever the id', () => {
  fc.assert(
    fc.property(
      fc.constantFrom(7, 11, 16, 17, 19),
      fc.integer({ min: 0, max: 0xffffffff }),
      fc.string({ maxLength: 64 }),
      (type, id, path) => {
        const read = parseRequest(packet(type, u32(id), str(path)));
        assert.equal(read.type, 'look');
        assert.equal(read.id, id);
        if (read.type === 'look') assert.equal(read.path, path);
      },
    ),
  );
});
