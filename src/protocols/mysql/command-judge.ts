// What a running connection's commands are judged by, and how a refusal answers: the pipeline's
// verdict (policy, masking, write-ahead record) for a command about to go upstream, and the ERR
// packet a refused one gets in its place, delivered in order with the server's answers. A record
// waiting for review is withdrawn when the client leaves. One per connection (proxy-session.ts).
import { toVigilError, VigilError } from '../../core/errors.js';
import type { JsonObject } from '../../core/events.js';
import { echoMasker, SqlConnectionState } from '../../mask/index.js';
import type { ModuleSession } from '../../pipeline/module-context.js';
import type { HeldNotice } from '../../pipeline/pipeline.js';
import type { ProxyOptions } from './proxy-options.js';
import { isPolicyRefusal, vigilErrPacket } from './wire-errors.js';

/** Where a refusal goes: the client, in order with the server's answers, while the connection lasts. */
export interface RefusalChannel {
  readonly closed: () => boolean;
  /** Queues the ERR packet behind the answers still owed, and sends what is ready. */
  readonly answer: (packet: Buffer) => void;
}

export class CommandJudge {
  readonly #session: ModuleSession;
  readonly #logger: ProxyOptions['logger'];
  readonly #channel: RefusalChannel;
  readonly #secretName: (name: string) => boolean;
  /** What the connection remembers of its statements: user variables and relations given a secret. */
  readonly #sql = new SqlConnectionState('mysql');
  #withdraw = new AbortController();

  constructor(
    session: ModuleSession,
    options: Pick<ProxyOptions, 'logger' | 'isSecretName'>,
    channel: RefusalChannel,
  ) {
    this.#session = session;
    this.#logger = options.logger;
    this.#secretName = options.isSecretName;
    this.#channel = channel;
  }

  /** The client left: a statement held for review is withdrawn. */
  close(): void {
    this.#withdraw.abort();
  }

  /**
   * Policy, masking, write-ahead recording; a refusal is answered to the client here. Resolves with
   * what may be recorded of the server's error message about the statement, or null when refused.
   */
  async submitted(
    payload: JsonObject,
    digest: (() => string) | undefined,
    reply: number,
  ): Promise<((message: string) => string) | null> {
    try {
      const recorded = await this.#session.submit('db.query', payload, {
        signal: this.#withdraw.signal,
        // MySQL has no message a server may send while a command runs: the client learns of the hold
        // only through the answer; the log says who must decide.
        onHeld: (held: HeldNotice) =>
          this.#logger.info(
            { approval: held.approvalId, rule: held.rule },
            'mysql statement held for approval',
          ),
        ...(digest ? { actionDigest: digest } : {}),
      });
      return echoMasker(payload, recorded?.payload ?? null, {
        secretName: this.#secretName,
        connection: this.#sql,
      });
    } catch (err) {
      this.refuse(err, reply);
      return null;
    }
  }

  /** A statement refused before the pipeline could judge it: recorded as refused, then answered. */
  async refuseUnjudged(error: VigilError, payload: JsonObject, reply: number): Promise<void> {
    try {
      await this.#session.refuseAction('db.query', payload, error);
    } catch (err) {
      return this.refuse(err, reply);
    }
    this.refuse(error, reply);
  }

  /** A command Vigil does not carry (no statement to record): recorded as refused, then answered. */
  async refuseCommand(reply: number, why: string): Promise<void> {
    const error = new VigilError('protocol_violation', why);
    await this.#session.refuse(error, { command: 'refused' });
    this.refuse(error, reply);
  }

  refuse(err: unknown, reply: number): void {
    if (this.#channel.closed()) return;
    const error = toVigilError(err);
    if (!isPolicyRefusal(error.code))
      this.#logger.warn({ code: error.code, err: error.message }, 'mysql command refused');
    this.#channel.answer(vigilErrPacket(error, reply));
  }
}
