// Asks the host where a path really leads before an SFTP request that uses it is judged. A path's
// words say little once a directory on it is a symbolic link (made in this session, before it, or
// outside Vigil): `open/root/etc/x` writes /etc/x when open/root links to /. So Vigil sends its own
// REALPATH requests into the relayed subsystem (ids no client request awaiting a reply holds; the
// replies are taken out of the stream, never shown to the client) and judges the path the host
// names as well as the written one:
// - a request that follows its last component (OPEN, SETSTAT; a symbolic link's content) is read
//   as REALPATH of the whole path when it exists; when it does not, a READLINK tells a dangling
//   link (O_CREAT would create its target, which Vigil cannot see: refused) from a new name;
// - any other (REMOVE, MKDIR, RMDIR, RENAME, SYMLINK's and hardlink's new name) acts on the last
//   component itself: REALPATH of its directory, then the last component appended.
// The requests are sent together, so the cost is one round trip to the host per judged request. A
// directory that does not exist yields null (the host refuses the request too); any other failure
// to resolve is refused (statement_uncertain), as is a name that is not UTF-8, which Vigil could
// not ask about byte for byte.
import { posix } from 'node:path';
import { VigilError } from '../../core/errors.js';
import { SFTP } from './sftp-packets.js';

const REALPATH = 16;
const READLINK = 19;
const NAME = 104;
const NO_SUCH_FILE = 2;
/** Reply types that carry the request id after the type byte. */
const REPLIES_WITH_ID = new Set([SFTP.STATUS, SFTP.HANDLE, SFTP.DATA, NAME, 105, 201]);

type Answer = { readonly name: string } | { readonly status: number };

export class SftpPathResolver {
  readonly #send: (packet: Buffer) => Promise<void> | undefined;
  /** Ids of client requests sent to the host and not yet answered. */
  readonly #clientIds = new Set<number>();
  readonly #pending = new Map<number, (answer: Answer) => void>();
  #nextId = 0x80000000;
  #closed = false;

  constructor(send: (packet: Buffer) => Promise<void> | undefined) {
    this.#send = send;
  }

  /** A client request with this id went to the host. */
  sent(id: number | null): void {
    if (id !== null) this.#clientIds.add(id);
  }

  /** Reads a reply from the host: true when it answers Vigil's own request (not for the client). */
  claims(packet: Buffer): boolean {
    const type = packet[4]!;
    if (!REPLIES_WITH_ID.has(type as never) || packet.length < 9) return false;
    const id = packet.readUInt32BE(5);
    const waiting = this.#pending.get(id);
    if (!waiting) {
      this.#clientIds.delete(id);
      return false;
    }
    this.#pending.delete(id);
    waiting(answerOf(packet));
    return true;
  }

  /** The channel closed: whatever Vigil still awaits will never be answered. */
  close(): void {
    this.#closed = true;
    for (const waiting of this.#pending.values()) waiting({ status: -1 });
    this.#pending.clear();
  }

  /**
   * Where `path` leads on the host, or null when its directory does not exist. `follows`: the
   * request acts on what a link at the last component points to.
   */
  async resolve(path: string, follows: boolean): Promise<string | null> {
    if (path.includes('\uFFFD')) throw uncertain(path, 'it is not UTF-8');
    const written = path === '' ? '.' : path;
    const trimmed = written.replace(/\/+$/, '');
    const base = posix.basename(trimmed);
    // `/`, `a/..`, `a/.`: the last component is no new name; the whole path names a directory.
    if (trimmed === '' || base === '.' || base === '..') return this.#directory(written, path);
    const above = trimmed.slice(0, trimmed.length - base.length);
    const parent = above.replace(/\/+$/, '') || (above.startsWith('/') ? '/' : '.');
    if (!follows) {
      const dir = await this.#directory(parent, path);
      return dir === null ? null : posix.join(dir, base);
    }
    const [whole, link, dir] = await Promise.all([
      this.#ask(REALPATH, written),
      this.#ask(READLINK, written),
      this.#directory(parent, path),
    ]);
    if ('name' in whole) return whole.name;
    if (whole.status !== NO_SUCH_FILE) throw uncertain(path, `the host answered status ${whole.status}`);
    if ('name' in link) throw uncertain(path, `it is a link to ${link.name} that does not exist yet`);
    return dir === null ? null : posix.join(dir, base);
  }

  async #directory(dir: string, path: string): Promise<string | null> {
    const answer = await this.#ask(REALPATH, dir);
    if ('name' in answer) return answer.name;
    if (answer.status === NO_SUCH_FILE) return null;
    throw uncertain(path, `the host answered status ${answer.status}`);
  }

  async #ask(type: number, path: string): Promise<Answer> {
    if (this.#closed) return { status: -1 };
    let id = this.#nextId;
    while (this.#clientIds.has(id) || this.#pending.has(id)) id = (id + 1) >>> 0;
    this.#nextId = (id + 1) >>> 0;
    const answered = new Promise<Answer>((resolve) => this.#pending.set(id, resolve));
    await this.#send(requestPacket(type, id, path));
    return answered;
  }
}

function uncertain(path: string, why: string): VigilError {
  return new VigilError(
    'statement_uncertain',
    `where ${JSON.stringify(path.slice(0, 256))} leads on the host cannot be told: ${why}`,
  );
}

/** REALPATH or READLINK: type, id, one path string. */
function requestPacket(type: number, id: number, path: string): Buffer {
  const text = Buffer.from(path, 'utf8');
  const packet = Buffer.alloc(4 + 1 + 4 + 4 + text.length);
  packet.writeUInt32BE(packet.length - 4, 0);
  packet[4] = type;
  packet.writeUInt32BE(id, 5);
  packet.writeUInt32BE(text.length, 9);
  text.copy(packet, 13);
  return packet;
}

/** A NAME reply's first name, or a STATUS reply's code (-1 for anything else or malformed). */
function answerOf(packet: Buffer): Answer {
  const type = packet[4];
  try {
    if (type === SFTP.STATUS) return { status: packet.readUInt32BE(9) };
    if (type === NAME && packet.readUInt32BE(9) >= 1) {
      const length = packet.readUInt32BE(13);
      if (17 + length > packet.length) return { status: -1 };
      const name = packet.subarray(17, 17 + length).toString('utf8');
      return name.includes('\uFFFD') || name === '' ? { status: -1 } : { name };
    }
  } catch {
    // A truncated reply: unresolved.
  }
  return { status: -1 };
}
