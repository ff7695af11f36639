// The SFTP wire format (draft-ietf-secsh-filexfer-02, what OpenSSH speaks), read passively from a
// relayed subsystem channel: a bounded framer (uint32 length, then the packet) and readers for the
// few requests and replies Vigil records or judges. Pure: bytes in, plain objects out.
import { VigilError } from '../../core/errors.js';

export const SFTP = {
  INIT: 1,
  VERSION: 2,
  OPEN: 3,
  CLOSE: 4,
  READ: 5,
  WRITE: 6,
  SETSTAT: 9,
  FSETSTAT: 10,
  REMOVE: 13,
  MKDIR: 14,
  RMDIR: 15,
  RENAME: 18,
  SYMLINK: 20,
  STATUS: 101,
  HANDLE: 102,
  DATA: 103,
  EXTENDED: 200,
} as const;

/**
 * Requests of version 3 that look at a path without changing it, read as a `look` (judged: a rule
 * that hides a path hides its names and attributes too). `follows`: the host follows a link at the
 * last component (STAT, OPENDIR, REALPATH), or shows the link itself (LSTAT, READLINK).
 */
const LOOKS = {
  7: { request: 'lstat', operation: 'stat', follows: false },
  11: { request: 'opendir', operation: 'list', follows: true },
  16: { request: 'realpath', operation: 'stat', follows: true },
  17: { request: 'stat', operation: 'stat', follows: true },
  19: { request: 'readlink', operation: 'stat', follows: false },
} as const;
type LookCode = keyof typeof LOOKS;

/**
 * Requests by a handle that change nothing (FSTAT, READDIR): passed on, the OPEN or OPENDIR that
 * made the handle having been judged. A type outside version 3 (LINK, 21, which makes a link on
 * servers of version 6; BLOCK; anything new) is refused, since what it does cannot be told.
 */
const PASSIVE_REQUESTS = new Set([8, 12]);

/**
 * OPEN flags that change the file: WRITE, APPEND, CREAT, TRUNC. OpenSSH's server passes CREAT and
 * TRUNC to open(2) even without WRITE, and Linux truncates a file opened O_RDONLY|O_TRUNC: an open
 * "for reading" with them empties or creates the file, so it is an upload, not a download.
 */
export const SFTP_OPEN_CHANGES = 0x02 | 0x04 | 0x08 | 0x10;
export const SFTP_STATUS_PERMISSION_DENIED = 3;
export const SFTP_STATUS_OP_UNSUPPORTED = 8;

/**
 * OpenSSH's extended requests that change nothing on the host, or change only a file already opened
 * (and judged) by handle: passed on as they are. (copy-data, which writes through a handle opened for
 * writing, is read on its own: the bytes it copies never cross the gateway.)
 */
const PASSIVE_EXTENSIONS = new Set([
  'statvfs@openssh.com',
  'fstatvfs@openssh.com',
  'fsync@openssh.com',
  'limits@openssh.com',
  'expand-path@openssh.com',
  'home-directory',
  'users-groups-by-id@openssh.com',
]);

/** Whole packets (length header included), each at most `maxBytes`. */
export class SftpFramer {
  readonly #maxBytes: number;
  #chunks: Buffer[] = [];
  #buffered = 0;

  constructor(maxBytes: number) {
    this.#maxBytes = maxBytes;
  }

  get buffered(): number {
    return this.#buffered;
  }

  push(chunk: Buffer): void {
    this.#chunks.push(chunk);
    this.#buffered += chunk.length;
  }

  next(): Buffer | null {
    if (this.#buffered < 4) return null;
    const head = this.#peek(4);
    const length = head.readUInt32BE(0);
    if (length > this.#maxBytes) {
      throw new VigilError(
        'message_too_large',
        `an SFTP packet of ${length} bytes exceeds ${this.#maxBytes}`,
      );
    }
    if (length < 1) throw new VigilError('protocol_violation', 'an SFTP packet with no type');
    if (this.#buffered < 4 + length) return null;
    return this.#take(4 + length);
  }

  #peek(n: number): Buffer {
    if (this.#chunks[0]!.length >= n) return this.#chunks[0]!;
    this.#chunks = [Buffer.concat(this.#chunks)];
    return this.#chunks[0]!;
  }

  #take(n: number): Buffer {
    const first = this.#peek(n);
    const packet = first.subarray(0, n);
    if (first.length === n) this.#chunks.shift();
    else this.#chunks[0] = first.subarray(n);
    this.#buffered -= n;
    return packet;
  }
}

/** A cursor over one packet; reading past its end throws protocol_violation. */
class Reader {
  #at: number;
  constructor(
    readonly packet: Buffer,
    at: number,
  ) {
    this.#at = at;
  }
  #need(n: number): void {
    if (this.#at + n > this.packet.length)
      throw new VigilError('protocol_violation', 'a truncated SFTP packet');
  }
  u32(): number {
    this.#need(4);
    const v = this.packet.readUInt32BE(this.#at);
    this.#at += 4;
    return v;
  }
  u64(): number {
    this.#need(8);
    const v = Number(this.packet.readBigUInt64BE(this.#at));
    this.#at += 8;
    return v;
  }
  bytes(): Buffer {
    const n = this.u32();
    this.#need(n);
    const v = this.packet.subarray(this.#at, this.#at + n);
    this.#at += n;
    return v;
  }
  text(): string {
    return this.bytes().toString('utf8');
  }
}

export type SftpRequest =
  | { readonly type: typeof SFTP.OPEN; readonly id: number; readonly path: string; readonly flags: number }
  | { readonly type: typeof SFTP.CLOSE; readonly id: number; readonly handle: string }
  | { readonly type: typeof SFTP.READ; readonly id: number; readonly handle: string; readonly offset: number }
  | {
      readonly type: typeof SFTP.WRITE;
      readonly id: number;
      readonly handle: string;
      readonly offset: number;
      readonly data: Buffer;
    }
  | {
      readonly type: 'change';
      readonly id: number;
      readonly operation: 'remove' | 'mkdir' | 'rmdir' | 'rename' | 'symlink' | 'setstat' | 'hardlink';
      readonly path: string;
      readonly target: string | null;
      /** A setstat's new size: truncating or extending writes the file (null when it sets none). */
      readonly size?: number | null;
    }
  /** FSETSTAT: a change to a file by its handle (the path is the one it was opened with). */
  | {
      readonly type: typeof SFTP.FSETSTAT;
      readonly id: number;
      readonly handle: string;
      readonly size: number | null;
    }
  /**
   * OpenSSH's copy-data: the host copies from one open handle to another, so neither file's bytes
   * cross the gateway (both were judged when opened).
   */
  | { readonly type: 'copy-data'; readonly id: number; readonly from: string; readonly to: string }
  /** A request that looks at a path (STAT, LSTAT, OPENDIR, READLINK, REALPATH): names and attributes. */
  | {
      readonly type: 'look';
      readonly id: number;
      readonly request: (typeof LOOKS)[LookCode]['request'];
      readonly operation: 'stat' | 'list';
      readonly path: string;
      readonly follows: boolean;
    }
  /** An extended request Vigil does not know: what it would do on the host cannot be told. */
  | { readonly type: 'unknown-extension'; readonly id: number; readonly name: string }
  /** A request type outside version 3 (LINK, BLOCK): what it would do on the host cannot be told. */
  | { readonly type: 'unknown-request'; readonly id: number; readonly code: number }
  | { readonly type: 'other'; readonly id: number | null };

const CHANGES = {
  [SFTP.REMOVE]: 'remove',
  [SFTP.MKDIR]: 'mkdir',
  [SFTP.RMDIR]: 'rmdir',
  [SFTP.RENAME]: 'rename',
  [SFTP.SYMLINK]: 'symlink',
  [SFTP.SETSTAT]: 'setstat',
} as const;

export function parseRequest(packet: Buffer): SftpRequest {
  const type = packet[4]!;
  if (type === SFTP.INIT) return { type: 'other', id: null };
  const r = new Reader(packet, 5);
  const id = r.u32();
  switch (type) {
    case SFTP.OPEN: {
      const path = r.text();
      return { type, id, path, flags: r.u32() };
    }
    case SFTP.CLOSE:
      return { type, id, handle: r.bytes().toString('hex') };
    case SFTP.READ: {
      const handle = r.bytes().toString('hex');
      return { type, id, handle, offset: r.u64() };
    }
    case SFTP.WRITE: {
      const handle = r.bytes().toString('hex');
      const offset = r.u64();
      return { type, id, handle, offset, data: r.bytes() };
    }
    case SFTP.REMOVE:
    case SFTP.MKDIR:
    case SFTP.RMDIR:
      return { type: 'change', id, operation: CHANGES[type], path: r.text(), target: null };
    case SFTP.SETSTAT: {
      const path = r.text();
      return { type: 'change', id, operation: 'setstat', path, target: null, size: attributesSize(r) };
    }
    case SFTP.RENAME:
    case SFTP.SYMLINK: {
      const path = r.text();
      return { type: 'change', id, operation: CHANGES[type], path, target: r.text() };
    }
    case SFTP.FSETSTAT: {
      const handle = r.bytes().toString('hex');
      return { type, id, handle, size: attributesSize(r) };
    }
    case SFTP.EXTENDED:
      return parseExtended(id, r);
    default: {
      if (Object.hasOwn(LOOKS, type)) {
        const look = LOOKS[type as LookCode];
        return { type: 'look', id, ...look, path: r.text() };
      }
      return PASSIVE_REQUESTS.has(type) ? { type: 'other', id } : { type: 'unknown-request', id, code: type };
    }
  }
}

/** SSH_FILEXFER_ATTR_SIZE: the attributes carry a size, which sets the file's length (truncate(2)). */
const ATTR_SIZE = 0x1;

/** The size a setstat's attributes set, or null: the flags word, then the size first when flagged. */
function attributesSize(r: Reader): number | null {
  return r.u32() & ATTR_SIZE ? r.u64() : null;
}

/** OpenSSH's extended requests (PROTOCOL, section 4): the ones that change a path read as the change they make. */
function parseExtended(id: number, r: Reader): SftpRequest {
  const name = r.text();
  switch (name) {
    case 'posix-rename@openssh.com': {
      // What `sftp`'s own `rename` sends when the host offers it.
      const path = r.text();
      return { type: 'change', id, operation: 'rename', path, target: r.text() };
    }
    case 'hardlink@openssh.com': {
      // `ln` without -s: the new link's target is `path`, the link is `target`, as for rename.
      const path = r.text();
      return { type: 'change', id, operation: 'hardlink', path, target: r.text() };
    }
    case 'lsetstat@openssh.com': {
      const path = r.text();
      return { type: 'change', id, operation: 'setstat', path, target: null, size: attributesSize(r) };
    }
    case 'copy-data': {
      // read-from-handle, its offset and length, then write-to-handle and its offset.
      const from = r.bytes().toString('hex');
      r.u64();
      r.u64();
      return { type: 'copy-data', id, from, to: r.bytes().toString('hex') };
    }
    default:
      return PASSIVE_EXTENSIONS.has(name) ? { type: 'other', id } : { type: 'unknown-extension', id, name };
  }
}

export type SftpReply =
  | { readonly type: typeof SFTP.STATUS; readonly id: number; readonly code: number }
  | { readonly type: typeof SFTP.HANDLE; readonly id: number; readonly handle: string }
  | { readonly type: typeof SFTP.DATA; readonly id: number; readonly data: Buffer }
  | { readonly type: 'other' };

export function parseReply(packet: Buffer): SftpReply {
  const type = packet[4]!;
  if (type !== SFTP.STATUS && type !== SFTP.HANDLE && type !== SFTP.DATA) return { type: 'other' };
  const r = new Reader(packet, 5);
  const id = r.u32();
  if (type === SFTP.STATUS) return { type, id, code: r.u32() };
  if (type === SFTP.HANDLE) return { type, id, handle: r.bytes().toString('hex') };
  return { type, id, data: r.bytes() };
}

/** A STATUS reply Vigil sends in the host's place (a refused request). */
export function statusPacket(id: number, code: number, message: string): Buffer {
  const text = Buffer.from(message, 'utf8');
  const lang = Buffer.alloc(0);
  const body = Buffer.alloc(1 + 4 + 4 + 4 + text.length + 4 + lang.length);
  let at = 0;
  body[at++] = SFTP.STATUS;
  at = body.writeUInt32BE(id, at);
  at = body.writeUInt32BE(code, at);
  at = body.writeUInt32BE(text.length, at);
  at += text.copy(body, at);
  body.writeUInt32BE(lang.length, at);
  const head = Buffer.alloc(4);
  head.writeUInt32BE(body.length, 0);
  return Buffer.concat([head, body]);
}
