// When the host has answered the keys sent to it, for the line guard (line-guard.ts): what the
// screen shows can be trusted only once the host has drawn what the keys did and gone quiet. This
// class keeps the times of the last key sent and the last output received, and waits on them;
// it knows nothing of lines or policy.
import { VigilError } from '../../core/errors.js';
import type { ScreenLine } from './screen-line.js';

/** A line read from the screen is read once the host's output after the last key has paused this long. */
const SCREEN_QUIET_MS = 50;
/** ^C: the line editor drops the line in any mode (SIGINT), and a program reading one stops. */
const INTERRUPT = Buffer.from([0x03]);
/**
 * After ^C the client's keys wait until the host has drawn a new line and gone quiet this long. A
 * shell acts on ^C at once only while it waits for a key. Busy (still reading a long line), bash
 * half-handled it, drew nothing, and kept the refused line: the next Enter ran it, less the key
 * read with it (`   touch x # aaa…` made x).
 */
const PROMPT_QUIET_MS = 100;
/** ^C is sent again when no new line shows this long after it: the shell now waits for a key. */
const INTERRUPT_REPEAT_MS = 1000;
/**
 * How long the keys wait for the new line once the host has gone silent. A host that shows no new
 * line by then may still hold the refused line (a program that ignores ^C): the channel is closed
 * rather than let an Enter run it. Counted from the host's last output, not from the ^C: a shell
 * still echoing and erasing a long line on a loaded machine is busy, not stuck (a 1 MB line took
 * bash more than 10 s under the test suite's load, and the channel was closed on a working shell).
 */
const PROMPT_SILENCE_MS = 10_000;
/** The longest the keys wait in any case, output or not (a program that ignores ^C and keeps printing). */
const PROMPT_WAIT_MS = 60_000;

export class HostOutput {
  readonly #screen: ScreenLine;
  #waiter: (() => void) | null = null;
  #lastOutput = 0;
  #lastKeySent = 0;
  #closed = false;

  constructor(screen: ScreenLine) {
    this.#screen = screen;
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** The host wrote to the terminal: a wait on its output may go on. */
  arrived(): void {
    this.#lastOutput = performance.now();
    this.#waiter?.();
  }

  keySent(): void {
    this.#lastKeySent = performance.now();
  }

  close(): void {
    this.#closed = true;
    this.#waiter?.();
  }

  /** Whether `check` holds of the screen, waiting up to `wait` ms for the host's output. */
  async shows(check: () => boolean, wait: number): Promise<boolean> {
    const deadline = performance.now() + wait;
    while (!check()) {
      const left = deadline - performance.now();
      if (left <= 0 || this.#closed) return false;
      await this.#outputOrTimeout(left);
    }
    return true;
  }

  /**
   * Waits, up to `wait` ms, until the host has written something since the last key was sent and
   * then paused (SCREEN_QUIET_MS): the screen then shows what the keys did.
   */
  async settled(wait: number): Promise<void> {
    const deadline = performance.now() + wait;
    while (!this.#closed) {
      const now = performance.now();
      const answered = this.#lastOutput >= this.#lastKeySent;
      const quietFor = now - this.#lastOutput;
      if ((answered && quietFor >= SCREEN_QUIET_MS) || now >= deadline) return;
      await this.#outputOrTimeout(
        Math.min(deadline - now, answered ? SCREEN_QUIET_MS - quietFor : deadline - now),
      );
    }
  }

  /**
   * Sends ^C and waits until the host answers it with a new line, drawn and then quiet; ^C again
   * while it has not (INTERRUPT_REPEAT_MS). Throws statement_uncertain when it does not before it
   * has been silent PROMPT_SILENCE_MS, or within PROMPT_WAIT_MS in all.
   */
  async interrupt(write: (chunk: Buffer) => Promise<void> | undefined): Promise<void> {
    const screen = this.#screen;
    const linesBefore = screen.linesStarted;
    const started = performance.now();
    const cap = started + PROMPT_WAIT_MS;
    let sentAt = Number.NEGATIVE_INFINITY;
    while (!this.#closed) {
      const now = performance.now();
      const deadline = Math.min(cap, Math.max(started, this.#lastOutput) + PROMPT_SILENCE_MS);
      const drawn = screen.linesStarted > linesBefore && screen.text !== '';
      const quietFor = now - this.#lastOutput;
      if (drawn && (quietFor >= PROMPT_QUIET_MS || now >= deadline)) return;
      if (now >= deadline) {
        throw new VigilError(
          'statement_uncertain',
          'the host did not show the refused line dropped after ^C; the channel is closed so that it cannot run',
        );
      }
      if (!drawn && now - sentAt >= INTERRUPT_REPEAT_MS) {
        sentAt = now;
        await write(INTERRUPT);
        continue;
      }
      const wait = drawn ? PROMPT_QUIET_MS - quietFor : sentAt + INTERRUPT_REPEAT_MS - now;
      await this.#outputOrTimeout(Math.min(deadline - now, wait));
    }
  }

  /** Resolves when the host writes next, or after `ms`. */
  #outputOrTimeout(ms: number): Promise<void> {
    return new Promise<void>((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        this.#waiter = null;
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.#waiter = done;
    });
  }
}
