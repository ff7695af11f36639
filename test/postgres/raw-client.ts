// A raw PostgreSQL wire client for tests that need what drivers never send: arbitrary message
// sequences in one write, startup parameters drivers pin, invalid bytes, cancel requests. It logs in
// with a Vigil token as the cleartext password and reads backend messages by counting ReadyForQuery.
import { connect, type Socket } from 'node:net';
import { serialize } from 'pg-protocol';

export interface BackendMessage {
  /** The message type byte: 'Z', 'E', 'N', 'C', 'D', '1', '2', 'K' ... */
  readonly code: string;
  readonly body: Buffer;
}

/** An ErrorResponse or NoticeResponse, its fields by their one-letter codes. */
export interface ServerNotice {
  readonly severity: string;
  readonly sqlstate: string;
  readonly message: string;
  readonly fields: Readonly<Record<string, string>>;
}

export interface Reply {
  readonly messages: readonly BackendMessage[];
  /** The message codes in order, as a string: '12DCZ'. */
  readonly codes: string;
  readonly errors: readonly ServerNotice[];
  readonly notices: readonly ServerNotice[];
  /** DataRow values as text (null for SQL NULL), one array per row. */
  readonly rows: readonly (string | null)[][];
  /** The connection closed before the awaited ReadyForQuery messages arrived. */
  readonly closed: boolean;
}

export interface RawConnectOptions {
  readonly host: string;
  readonly port: number;
  /** StartupMessage parameters, sent exactly as given (user, database, client_encoding ...). */
  readonly params: Readonly<Record<string, string>>;
  /** Sent when the server asks for a cleartext password. */
  readonly password: string;
  readonly timeoutMs?: number;
}

/** Frontend messages, each a complete frame, to pass to `send` in any order. */
export const fe = {
  parse: (name: string, text: string): Buffer => serialize.parse({ name, text }),
  bind: (portal: string, statement: string, values: unknown[] = []): Buffer =>
    serialize.bind({ portal, statement, values }),
  execute: (portal = '', rows = 0): Buffer => serialize.execute({ portal, rows }),
  describe: (type: 'S' | 'P', name: string): Buffer => serialize.describe({ type, name }),
  close: (type: 'S' | 'P', name: string): Buffer => serialize.close({ type, name }),
  sync: (): Buffer => serialize.sync(),
  flush: (): Buffer => serialize.flush(),
  query: (sql: string): Buffer => serialize.query(sql),
  /** A Query whose text is these exact bytes (no encoding applied), NUL-terminated. */
  queryBytes: (sql: Buffer): Buffer => frame('Q', Buffer.concat([sql, Buffer.from([0])])),
  terminate: (): Buffer => serialize.end(),
};

/** A frame of any type with any body: the length is computed, nothing is checked. */
export function frame(code: string, body: Buffer): Buffer {
  const header = Buffer.alloc(5);
  header.write(code, 0, 'latin1');
  header.writeInt32BE(body.length + 4, 1);
  return Buffer.concat([header, body]);
}

/** pg-protocol's startup serializer appends client_encoding=UTF8; tests need to send their own. */
function startupMessage(params: Readonly<Record<string, string>>): Buffer {
  const parts: Buffer[] = [];
  for (const [k, v] of Object.entries(params)) parts.push(Buffer.from(`${k}\0${v}\0`, 'utf8'));
  const body = Buffer.concat([...parts, Buffer.from([0])]);
  const head = Buffer.alloc(8);
  head.writeInt32BE(body.length + 8, 0);
  head.writeInt32BE(196608, 4);
  return Buffer.concat([head, body]);
}

export function parseNotice(body: Buffer): ServerNotice {
  const fields: Record<string, string> = {};
  let at = 0;
  while (at < body.length && body[at] !== 0) {
    const code = String.fromCharCode(body[at]!);
    const end = body.indexOf(0, at + 1);
    if (end < 0) break;
    fields[code] = body.toString('utf8', at + 1, end);
    at = end + 1;
  }
  return {
    severity: fields.V ?? fields.S ?? '',
    sqlstate: fields.C ?? '',
    message: fields.M ?? '',
    fields,
  };
}

function parseDataRow(body: Buffer): (string | null)[] {
  const n = body.readInt16BE(0);
  const out: (string | null)[] = [];
  let at = 2;
  for (let i = 0; i < n; i++) {
    const len = body.readInt32BE(at);
    at += 4;
    if (len < 0) out.push(null);
    else {
      out.push(body.toString('utf8', at, at + len));
      at += len;
    }
  }
  return out;
}

export function summarize(messages: readonly BackendMessage[], closed: boolean): Reply {
  return {
    messages,
    codes: messages.map((m) => m.code).join(''),
    errors: messages.filter((m) => m.code === 'E').map((m) => parseNotice(m.body)),
    notices: messages.filter((m) => m.code === 'N').map((m) => parseNotice(m.body)),
    rows: messages.filter((m) => m.code === 'D').map((m) => parseDataRow(m.body)),
    closed,
  };
}

/** One Reply per ReadyForQuery, for a reply read over several (what follows the last one is dropped). */
export function splitAtReady(reply: Reply): Reply[] {
  const out: Reply[] = [];
  let part: BackendMessage[] = [];
  for (const m of reply.messages) {
    part.push(m);
    if (m.code === 'Z') {
      out.push(summarize(part, false));
      part = [];
    }
  }
  return out;
}

export class RawPgClient {
  readonly socket: Socket;
  /** Everything received, in order; `read*` consume from `#cursor`. */
  readonly received: BackendMessage[] = [];
  /** What the login exchange answered (through the first ReadyForQuery or the close). */
  login: Reply = summarize([], false);
  /** Vigil's BackendKeyData for this connection (the key a CancelRequest must carry). */
  backendKey: { pid: number; secret: number } | null = null;
  readonly parameters = new Map<string, string>();
  closed = false;
  #buffer: Buffer = Buffer.alloc(0);
  #cursor = 0;
  #wake: (() => void) | null = null;
  readonly #timeoutMs: number;

  private constructor(socket: Socket, timeoutMs: number) {
    this.socket = socket;
    this.#timeoutMs = timeoutMs;
    socket.on('data', (chunk: Buffer) => this.#onData(chunk));
    // A write into a connection the gateway already closed fails here; the close is what tests look at.
    socket.on('error', () => undefined);
    socket.on('close', () => {
      this.closed = true;
      this.#wake?.();
    });
  }

  /** Connects and logs in; never rejects on a refused login: look at `login` and `loggedIn`. */
  static async connect(options: RawConnectOptions): Promise<RawPgClient> {
    const socket = connect({ host: options.host, port: options.port });
    socket.setNoDelay(true);
    const client = new RawPgClient(socket, options.timeoutMs ?? 10_000);
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', resolve);
      socket.once('error', reject);
    });
    socket.write(startupMessage(options.params));
    const messages: BackendMessage[] = [];
    for (;;) {
      const m = await client.#next();
      if (!m) break;
      messages.push(m);
      if (m.code === 'R' && m.body.readInt32BE(0) === 3) socket.write(serialize.password(options.password));
      if (m.code === 'K') client.backendKey = { pid: m.body.readInt32BE(0), secret: m.body.readInt32BE(4) };
      if (m.code === 'S') {
        const [name, value] = m.body.toString('utf8').split('\0');
        client.parameters.set(name!, value ?? '');
      }
      if (m.code === 'Z' || (m.code === 'E' && parseNotice(m.body).severity === 'FATAL')) break;
    }
    client.login = summarize(messages, client.closed);
    return client;
  }

  get loggedIn(): boolean {
    return this.login.codes.endsWith('Z');
  }

  /** Sends the frames (or raw bytes) in ONE write, so the gateway sees them as one pipeline. */
  send(...parts: Buffer[]): void {
    this.socket.write(Buffer.concat(parts));
  }

  /** Reads until `count` ReadyForQuery messages (or the close) and returns what came. */
  async readUntilReady(count = 1): Promise<Reply> {
    const messages: BackendMessage[] = [];
    let ready = 0;
    while (ready < count) {
      const m = await this.#next();
      if (!m) return summarize(messages, true);
      messages.push(m);
      if (m.code === 'Z') ready++;
    }
    return summarize(messages, false);
  }

  /** Reads until the gateway closes the connection. */
  async readUntilClosed(): Promise<Reply> {
    const messages: BackendMessage[] = [];
    for (let m = await this.#next(); m; m = await this.#next()) messages.push(m);
    return summarize(messages, true);
  }

  /** Waits for the next message matching `code` (skipping none: everything before it is returned too). */
  async readUntil(code: string): Promise<Reply> {
    const messages: BackendMessage[] = [];
    for (;;) {
      const m = await this.#next();
      if (!m) return summarize(messages, true);
      messages.push(m);
      if (m.code === code) return summarize(messages, false);
    }
  }

  /** A simple Query, read through its ReadyForQuery. */
  async query(sql: string): Promise<Reply> {
    this.send(fe.query(sql));
    return this.readUntilReady(1);
  }

  /** Sends Terminate and closes. */
  end(): void {
    if (this.closed) return;
    this.socket.end(fe.terminate());
    setTimeout(() => this.socket.destroy(), 1000).unref();
  }

  destroy(): void {
    this.socket.destroy();
  }

  /** The next unread message, or null once the connection is closed and everything was read. */
  async #next(): Promise<BackendMessage | null> {
    const deadline = Date.now() + this.#timeoutMs;
    for (;;) {
      const m = this.received[this.#cursor];
      if (m) {
        this.#cursor++;
        return m;
      }
      if (this.closed) return null;
      const left = deadline - Date.now();
      if (left <= 0) {
        const seen = this.received.map((r) => r.code).join('');
        throw new Error(`raw client: nothing more within ${this.#timeoutMs} ms (received so far: ${seen})`);
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.#wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.#wake = null;
    }
  }

  #onData(chunk: Buffer): void {
    this.#buffer = this.#buffer.length === 0 ? chunk : Buffer.concat([this.#buffer, chunk]);
    while (this.#buffer.length >= 5) {
      const length = this.#buffer.readInt32BE(1);
      if (this.#buffer.length < length + 1) break;
      this.received.push({
        code: String.fromCharCode(this.#buffer[0]!),
        body: this.#buffer.subarray(5, length + 1),
      });
      this.#buffer = this.#buffer.subarray(length + 1);
    }
    this.#wake?.();
  }
}

/** Opens a new connection and sends a CancelRequest with the key, as libpq does; resolves once sent and closed. */
export async function cancel(host: string, port: number, pid: number, secret: number): Promise<void> {
  const socket = connect({ host, port });
  await new Promise<void>((resolve) => {
    socket.on('error', () => resolve());
    socket.on('close', () => resolve());
    socket.on('connect', () => socket.end(serialize.cancel(pid, secret)));
  });
}
