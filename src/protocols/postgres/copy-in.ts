// COPY FROM STDIN hands the connection to the client: after CopyInResponse the server reads only
// CopyData, CopyDone and CopyFail until the copy ends. It IGNORES a Sync or Flush read meanwhile
// (for libraries that send one after every command), and takes any other message for an error. A
// Sync Vigil forwarded into a copy would wait for a ReadyForQuery that never comes, putting every
// later answer against the wrong message: a ParseComplete would confirm another Parse's text, and
// an Execute be judged by a statement the server does not hold. So Vigil follows the copy:
// - an execution that may start one (a COPY that writes, or a text Vigil cannot read) is forwarded
//   alone: the messages after it wait until the server either starts the copy or answers it;
// - during the copy, a Sync is dropped (the server would ignore it) and any other message ends the
//   session (the server would fail the copy on it, and PostgreSQL 13 and older lose it silently);
// - the copy ends, for the messages after it, with the client's CopyDone or CopyFail, which the
//   server reads before them. One the client sent before the server started the copy is counted.

import { VigilError } from '../../core/errors.js';
import { type CopyOutShape, copyOutShapes } from './copy-out-shape.js';

/** How the next client message (other than copy data, Flush or Terminate) reaches the server. */
export type CopyVerdict =
  /** No copy can be in progress when the server reads it. */
  | 'clear'
  /** An execution that may start a copy is unanswered: wait for `changed()`. */
  | 'wait'
  /** The server will read it during a copy. */
  | 'open';

/** What else follows the copies (copy-in-recorder.ts): told of each change as it happens. */
export interface CopyInListener {
  /** An execution that may start a copy was forwarded. */
  forwarded(): void;
  /** The oldest such execution was answered in full. */
  answered(): void;
  /**
   * The server started a copy (for the oldest unanswered execution); `response` is its
   * CopyInResponse's body (format and columns), when the caller has it.
   */
  started(response: Buffer | undefined): void;
  /** No copy is in progress or can start: every such execution was answered, or the connection ended. */
  reset(): void;
}

export class CopyInFollower {
  listener: CopyInListener | null = null;
  /** Forwarded executions that may start a copy, not yet answered in full. */
  #unanswered = 0;
  /** The server started a copy whose end the client has not sent yet. */
  #open = false;
  /** CopyDone/CopyFail forwarded while a copy could start, not yet matched to the copy they end. */
  #endsAhead = 0;
  #waiters: (() => void)[] = [];
  /** What the client gets in place of the server's error about a copy Vigil failed (copy-in-commit.ts). */
  #failAnswer: Buffer | null = null;

  get verdict(): CopyVerdict {
    if (this.#open) return 'open';
    return this.#unanswered > 0 ? 'wait' : 'clear';
  }

  /** An execution that may start a copy was forwarded. */
  forwarded(): void {
    this.#unanswered++;
    this.listener?.forwarded();
  }

  /** The server answered such an execution in full (its ReadyForQuery, or its Execute's end). */
  answered(): void {
    if (this.#unanswered > 0) {
      this.#unanswered--;
      this.listener?.answered();
    }
    if (this.#unanswered === 0) {
      this.#open = false;
      this.#endsAhead = 0;
      this.listener?.reset();
    }
    this.#release();
  }

  /**
   * CopyInResponse. False when no forwarded execution could start a copy: Vigil misjudged what
   * the server runs, and what it forwarded after may already be in the copy.
   */
  started(response?: Buffer): boolean {
    if (this.#unanswered === 0) return false;
    if (this.#endsAhead > 0) this.#endsAhead--;
    else this.#open = true;
    this.listener?.started(response);
    this.#release();
    return true;
  }

  /** The client's CopyDone or CopyFail, forwarded. */
  clientEnded(): void {
    if (this.#open) this.#open = false;
    else if (this.#unanswered > 0) this.#endsAhead++;
  }

  /**
   * Vigil sent CopyFail in place of the client's CopyDone: the server's next ErrorResponse (about
   * that copy: nothing else can come before it) reaches the client as `response`.
   */
  failedByVigil(response: Buffer): void {
    this.#failAnswer = response;
  }

  /** What the client gets for the server's ErrorResponse `raw`. */
  errorShown(raw: Buffer): Buffer {
    const answer = this.#failAnswer ?? raw;
    this.#failAnswer = null;
    return answer;
  }

  /** Resolves on the next change of the verdict's inputs (or when the connection ends). */
  changed(): Promise<void> {
    return new Promise((resolve) => this.#waiters.push(resolve));
  }

  abandon(): void {
    this.#unanswered = 0;
    this.#open = false;
    this.#failAnswer = null;
    this.listener?.reset();
    this.#release();
  }

  #release(): void {
    const waiters = this.#waiters;
    this.#waiters = [];
    for (const resolve of waiters) resolve();
  }
}

/** What the wait for a copy's verdict needs of the relay. */
export interface CopyInRelay {
  readonly closed: boolean;
  toUpstream(bytes: Buffer): void;
  flushUpstream(): void;
}

/**
 * Waits, for a message (`code`) sent behind an execution that may start a COPY FROM STDIN, until the
 * server started the copy or answered the execution. Resolves true when the message goes on as
 * usual, false when it is dropped (a Sync the server would ignore during the copy, or the
 * connection closed); throws for any other message the server would read during the copy.
 */
export async function copyInSettled(
  copyIn: CopyInFollower,
  relay: CopyInRelay,
  flush: Buffer,
  code: string,
): Promise<boolean> {
  const verdict = await copyInDecided(copyIn, relay, flush);
  if (verdict === null) return false;
  if (verdict !== 'open') return true;
  if (code === 'S') return false;
  throw new VigilError(
    'protocol_violation',
    `message '${code}' during COPY FROM STDIN: only copy data, CopyDone or CopyFail may follow`,
  );
}

/**
 * Waits until no execution that may start a copy is unanswered, or the server started one: the
 * verdict then ('clear' or 'open'), or null when the connection closed meanwhile.
 */
export async function copyInDecided(
  copyIn: CopyInFollower,
  relay: CopyInRelay,
  flush: Buffer,
): Promise<Exclude<CopyVerdict, 'wait'> | null> {
  while (copyIn.verdict === 'wait') {
    // An Execute's answer stays in the server's buffer until a Flush (one read during the copy
    // is ignored).
    relay.toUpstream(flush);
    relay.flushUpstream();
    await copyIn.changed();
    if (relay.closed) return null;
  }
  return copyIn.verdict === 'open' ? 'open' : 'clear';
}

/**
 * Whether a text of these statements may start a copy: a top-level COPY that writes (FROM STDIN;
 * FROM a file or program too, which costs only the wait), or a statement Vigil could not parse.
 */
export function mayStartCopyIn(
  statements: readonly { readonly kind: string; readonly writes: boolean; readonly nested: boolean }[],
): boolean {
  return statements.some((s) => !s.nested && ((s.kind === 'COPY' && s.writes) || s.kind === 'UNKNOWN'));
}

/** What an execution of `text` needs to follow a COPY either way: whether it may start one FROM STDIN, its COPY TO STDOUTs. */
export function copyFacts(
  text: string,
  statements: readonly { readonly kind: string; readonly writes: boolean; readonly nested: boolean }[],
): { mayCopyIn: boolean; copyOut?: ReadonlyMap<number, CopyOutShape> } {
  const out = statements.some((s) => !s.nested && s.kind === 'COPY' && !s.writes);
  return { mayCopyIn: mayStartCopyIn(statements), ...(out ? { copyOut: copyOutShapes(text) } : {}) };
}
