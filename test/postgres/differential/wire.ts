// A raw wire client for the differential test: sends whatever frames it is given, in one write per
// batch, and keeps every backend message in arrival order. It logs in with trust (straight to the
// server) or a cleartext password (a Vigil token).
import { connect, type Socket } from 'node:net';
import { parseErrorFields } from '../../../src/protocols/postgres/backend-messages.js';
import { FrameReader } from '../../../src/protocols/postgres/frame-reader.js';

export interface BackendMessage {
  readonly code: string;
  readonly body: Buffer;
}

function startupMessage(params: Readonly<Record<string, string>>): Buffer {
  const parts = Object.entries(params).map(([k, v]) => Buffer.from(`${k}\0${v}\0`, 'utf8'));
  const body = Buffer.concat([...parts, Buffer.from([0])]);
  const head = Buffer.alloc(8);
  head.writeInt32BE(body.length + 8, 0);
  head.writeInt32BE(196608, 4);
  return Buffer.concat([head, body]);
}

function passwordMessage(password: string): Buffer {
  const body = Buffer.from(`${password}\0`, 'utf8');
  const head = Buffer.alloc(5);
  head.write('p', 0, 'latin1');
  head.writeInt32BE(body.length + 4, 1);
  return Buffer.concat([head, body]);
}

export class WireClient {
  readonly messages: BackendMessage[] = [];
  readonly #socket: Socket;
  readonly #reader = new FrameReader(1 << 30);
  #wake: (() => void) | null = null;
  #lastData = Date.now();
  closed = false;

  private constructor(socket: Socket) {
    this.#socket = socket;
    socket.on('data', (chunk: Buffer) => {
      this.#lastData = Date.now();
      this.#reader.push(chunk);
      for (let f = this.#reader.next(); f; f = this.#reader.next()) {
        this.messages.push({ code: f.code, body: Buffer.from(f.body) });
      }
      this.#wake?.();
    });
    socket.on('error', () => undefined);
    socket.on('close', () => {
      this.closed = true;
      this.#wake?.();
    });
  }

  static async connect(
    host: string,
    port: number,
    params: Readonly<Record<string, string>>,
    password: string | null,
  ): Promise<WireClient> {
    const socket = connect({ host, port });
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', resolve);
      socket.once('error', reject);
    });
    const c = new WireClient(socket);
    socket.write(startupMessage(params));
    for (;;) {
      await c.until(() => c.messages.some((m) => m.code === 'R' || m.code === 'E'), 10_000);
      const first = c.messages.shift()!;
      if (first.code === 'E') throw new Error(`login refused: ${parseErrorFields(first.body).message}`);
      const kind = first.body.readInt32BE(0);
      if (kind === 0) break;
      if (kind === 3 && password !== null) {
        socket.write(passwordMessage(password));
        continue;
      }
      throw new Error(`unsupported authentication request ${kind}`);
    }
    await c.until(() => c.count('Z') > 0 || c.count('E') > 0, 10_000);
    const err = c.messages.find((m) => m.code === 'E');
    if (err) throw new Error(`login failed: ${parseErrorFields(err.body).message}`);
    c.messages.length = 0;
    return c;
  }

  send(frames: readonly Buffer[]): void {
    if (frames.length > 0) this.#socket.write(Buffer.concat(frames));
  }

  count(code: string): number {
    let n = 0;
    for (const m of this.messages) if (m.code === code) n++;
    return n;
  }

  /** Waits until `done` holds; throws on close or after `timeoutMs`, naming what arrived. */
  async until(done: () => boolean, timeoutMs = 10_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!done()) {
      if (this.closed)
        throw new Error(
          `connection closed; got ${this.codes()} ${this.messages
            .filter((m) => m.code === 'E')
            .map((m) => parseErrorFields(m.body).message)
            .join('; ')}`,
        );
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no reply within ${timeoutMs} ms; got ${this.codes()}`);
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

  /** Waits until nothing has arrived for `quietMs` (for replies whose count cannot be known ahead). */
  async quiet(quietMs: number): Promise<void> {
    for (;;) {
      const left = this.#lastData + quietMs - Date.now();
      if (left <= 0 || this.closed) return;
      await new Promise((r) => setTimeout(r, left));
    }
  }

  codes(): string {
    return this.messages.map((m) => m.code).join('');
  }

  async close(): Promise<void> {
    if (this.closed) return;
    const terminate = Buffer.from([0x58, 0, 0, 0, 4]);
    this.#socket.end(terminate);
    await this.until(() => this.closed, 5000).catch(() => this.#socket.destroy());
  }
}
