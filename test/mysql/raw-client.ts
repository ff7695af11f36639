// A MySQL client played by a raw socket, for tests that send what no driver sends (a NULL flag on a
// parameter that has long data, hand-made commands): logs in with the token in cleartext (loopback),
// then reads the answers packet by packet.
import assert from 'node:assert/strict';
import { connect, type Socket } from 'node:net';
import { CAP } from '../../src/protocols/mysql/constants.js';
import { handshakeResponsePayload } from '../../src/protocols/mysql/handshake-messages.js';
import { ClientPacketFramer, type LogicalPacket } from '../../src/protocols/mysql/packet-framer.js';
import { packet } from '../../src/protocols/mysql/packet-writer.js';
import { TOKENS } from '../support/gateway.js';

export class RawMysqlClient {
  readonly socket: Socket;
  readonly #framer = new ClientPacketFramer(1 << 24);
  readonly #packets: LogicalPacket[] = [];
  closed = false;
  #wake: (() => void) | null = null;

  private constructor(socket: Socket) {
    this.socket = socket;
    socket.on('data', (c: Buffer) => {
      this.#framer.push(c);
      for (let p = this.#framer.next(); p; p = this.#framer.next()) this.#packets.push(p);
      this.#wake?.();
    });
    socket.on('close', () => {
      this.closed = true;
      this.#wake?.();
    });
    socket.on('error', () => undefined);
  }

  static open(port: number): Promise<RawMysqlClient> {
    return new Promise((resolve, reject) => {
      const s = connect({ host: '127.0.0.1', port }, () => resolve(new RawMysqlClient(s)));
      s.once('error', reject);
    });
  }

  async next(): Promise<LogicalPacket | null> {
    for (;;) {
      const p = this.#packets.shift();
      if (p) return p;
      if (this.closed) return null;
      await new Promise<void>((r) => {
        this.#wake = r;
        setTimeout(r, 5000).unref();
      });
    }
  }

  /**
   * Logs in with mysql_clear_password (loopback, no TLS), the token as the password; EOF packets
   * deprecated, and more `capabilities`. A null database connects to none.
   */
  async login(database: string | null, token = TOKENS.alice, capabilities = 0): Promise<void> {
    await this.next(); // greeting
    this.socket.write(
      packet(
        1,
        handshakeResponsePayload({
          capabilities:
            CAP.DEPRECATE_EOF |
            CAP.MULTI_RESULTS |
            (database === null ? 0 : CAP.CONNECT_WITH_DB) |
            capabilities,
          charset: 45,
          user: 'alice',
          authResponse: Buffer.from(`${token}\0`),
          database,
          authPlugin: 'mysql_clear_password',
        }),
      ),
    );
    const ok = await this.next();
    assert.equal(ok?.payload[0], 0x00, 'logged in');
  }

  /** Sends one command (a new sequence). */
  command(code: number, ...parts: Buffer[]): void {
    this.socket.write(packet(0, Buffer.concat([Buffer.from([code]), ...parts])));
  }

  /** The packets of one answer: up to and including its OK or ERR (EOF deprecated, one result). */
  async answer(): Promise<LogicalPacket[]> {
    const out: LogicalPacket[] = [];
    const first = await this.next();
    assert.ok(first, 'an answer');
    out.push(first);
    if (first.payload[0] === 0x00 || first.payload[0] === 0xff) return out;
    for (;;) {
      const p = await this.next();
      assert.ok(p, 'the rest of the answer');
      out.push(p);
      if (p.payload[0] === 0xff || (p.payload[0] === 0xfe && p.payload.length < 0xffffff)) return out;
    }
  }
}
