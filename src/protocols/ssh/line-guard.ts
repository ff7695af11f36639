// The interactive guard of a terminal channel. Keystrokes go to the host as they are typed (the
// host echoes them, completes them, draws them), but each Enter is held: the line it would run is
// assembled (input-line.ts, or read from the screen when editing keys were used), submitted as an
// ssh.command, judged, recorded, and only then is the Enter sent. A denied line is erased with ^U
// and never runs; the user sees why and gets a fresh prompt.
//
// Keystrokes are recorded (ssh.input) only once Vigil knows the host echoed them: a line typed
// while the terminal showed nothing (a password at a sudo, passwd or `read -s` prompt) is recorded
// as "typed, not stored", with its length only, and is not judged as a command.
import type { ServerChannel } from 'ssh2';
import { toVigilError, VigilError } from '../../core/errors.js';
import { cutForRecord } from '../../core/record-cut.js';
import type { ConnectionState } from './connection-state.js';
import { InputLine, wasEchoed } from './input-line.js';
import type { ScreenLine } from './screen-line.js';
import type { TerminalRecorder } from './terminal-recorder.js';
import { refusalText, terminalNotice } from './wire-errors.js';

const KILL_LINE = Buffer.from([0x15]);
const ENTER = Buffer.from('\r');
/** Keystrokes that never reach an Enter (an editor, a pager) are recorded after this much quiet. */
const IDLE_FLUSH_MS = 1000;

export interface LineGuardOptions {
  readonly state: ConnectionState;
  readonly channelId: number;
  readonly recorder: TerminalRecorder;
  readonly screen: ScreenLine;
  readonly client: ServerChannel;
  /** Sends bytes to the host; a promise while its window is full. */
  readonly write: (chunk: Buffer) => Promise<void> | undefined;
}

export class LineGuard {
  readonly #o: LineGuardOptions;
  readonly #line: InputLine;
  #typed: Buffer[] = [];
  #lineStarted = false;
  #promptColumn = 0;
  #lineOffset = 0;
  #lineTime = 0;
  #commands = 0;
  #idleTimer: NodeJS.Timeout | null = null;
  #echoWaiter: (() => void) | null = null;
  #closed = false;

  constructor(options: LineGuardOptions) {
    this.#o = options;
    this.#line = new InputLine(options.state.config.max_line_bytes);
  }

  /** The host wrote to the terminal: an Enter waiting for the echo may go on. */
  outputArrived(): void {
    this.#echoWaiter?.();
  }

  close(): void {
    this.#closed = true;
    this.#flushTyped(false);
    if (this.#idleTimer) clearTimeout(this.#idleTimer);
    this.#echoWaiter?.();
  }

  /** Handles a chunk of keystrokes; a promise while an Enter is being judged. */
  typed(chunk: Buffer): Promise<void> | undefined {
    const rest = chunk;
    while (rest.length > 0) {
      if (!this.#lineStarted) this.#startLine();
      const { used, enter } = this.#line.consume(rest);
      if (used > 0) {
        const keys = rest.subarray(0, used);
        this.#typed.push(Buffer.from(keys));
        const sent = this.#o.write(keys);
        if (sent && !enter) {
          const after = rest.subarray(used);
          return sent.then(() => this.typed(after));
        }
      }
      if (!enter) break;
      const after = rest.subarray(used + 1);
      return this.#enter().then(() => (after.length > 0 ? this.typed(after) : undefined));
    }
    this.#scheduleIdleFlush();
    return undefined;
  }

  #startLine(): void {
    this.#lineStarted = true;
    this.#o.recorder.hold();
    this.#o.screen.mark();
    this.#promptColumn = this.#o.screen.cursor;
    this.#lineOffset = this.#o.recorder.offset;
    this.#lineTime = this.#o.recorder.now();
  }

  #endLine(): void {
    this.#line.reset();
    this.#typed = [];
    this.#lineStarted = false;
    this.#o.recorder.release();
  }

  async #enter(): Promise<void> {
    if (this.#idleTimer) clearTimeout(this.#idleTimer);
    const line = this.#line;
    const command = line.uncertain ? this.#o.screen.text.slice(this.#promptColumn).trim() : line.text.trim();
    if (command === '' && line.printable === '') {
      // An empty line (or only control keys): nothing to judge, nothing secret.
      this.#flushTyped(true, ENTER);
      this.#endLine();
      await this.#o.write(ENTER);
      return;
    }
    if (!(await this.#echoed())) return this.#enterUnseen(line.text.trim(), line.uncertain);
    this.#flushTyped(true, ENTER);
    const { state, channelId } = this.#o;
    const index = this.#commands++;
    const payload = {
      channel: channelId,
      index,
      command: line.overflow ? cutForRecord(command, 256) : command,
      t: this.#lineTime,
      offset: this.#lineOffset,
      source: line.uncertain ? 'screen' : 'keystrokes',
      ...(line.overflow ? { truncated: true } : {}),
    };
    const overflow = line.overflow;
    this.#endLine();
    try {
      if (overflow) {
        const error = new VigilError(
          'message_too_large',
          `the command line exceeds ${state.config.max_line_bytes} bytes`,
        );
        await state.session.refuseAction('ssh.command', payload, error);
        throw error;
      }
      await state.session.submit('ssh.command', payload, {
        signal: state.signal,
        onHeld: (notice) => {
          this.#o.client.write(
            terminalNotice(
              `vigil: held for approval ${notice.approvalId} (rule ${notice.rule}); waiting until ${notice.expiresAt}`,
            ),
          );
        },
      });
    } catch (err) {
      if (this.#closed) return;
      // Refused: the host erases the line it holds, the user sees why, and an empty Enter redraws the prompt.
      await this.#o.write(KILL_LINE);
      this.#o.client.write(terminalNotice(refusalText(toVigilError(err))));
      await this.#o.write(ENTER);
      return;
    }
    await this.#o.write(ENTER);
  }

  /**
   * Enter on a line the host did not echo: a password at a sudo or `read -s` prompt, or a command
   * typed blind after `stty -echo`. Only its length is recorded, but it is still judged, by its text
   * in memory, so echo off is no way around a rule: a line a rule would deny or hold is refused
   * (a held one cannot be reviewed without showing it), recorded as refused without its text.
   */
  async #enterUnseen(text: string, uncertain: boolean): Promise<void> {
    const { state, channelId } = this.#o;
    const bytes = this.#typed.reduce((n, k) => n + k.length, 0);
    const facts = { channel: channelId, t: this.#lineTime, offset: this.#lineOffset };
    this.#flushTyped(false, ENTER);
    this.#endLine();
    // Edited with keys Vigil cannot follow (history, cursor movement), the line's text is not known,
    // and with echo off the screen cannot tell it either: refused rather than judged by a guess.
    const decision = uncertain
      ? null
      : text === ''
        ? { action: 'allow' as const }
        : state.session.judge('ssh.command', { ...facts, command: text });
    if (decision?.action === 'allow') {
      await this.#o.write(ENTER);
      return;
    }
    const error =
      decision === null
        ? new VigilError(
            'statement_uncertain',
            'a line typed with echo off and edited with history or cursor keys cannot be judged; type it again without them',
          )
        : new VigilError(
            'policy_denied',
            decision.action === 'deny'
              ? `denied by rule ${decision.rule}: ${decision.reason} (a line typed with echo off, not stored)`
              : `a line typed with echo off matches review rule ${decision.rule}; it is not stored, so it cannot be reviewed`,
            { details: { rule: decision.rule } },
          );
    try {
      await state.session.refuseAction(
        'ssh.command',
        { ...facts, index: this.#commands++, hidden: true, bytes, source: 'keystrokes' },
        error,
      );
    } catch {
      // Refused all the same: the line does not run.
    }
    if (this.#closed) return;
    await this.#o.write(KILL_LINE);
    this.#o.client.write(terminalNotice(refusalText(error)));
    await this.#o.write(ENTER);
  }

  /** Whether the host echoed this line's keystrokes, waiting up to echo_wait for the echo to come. */
  async #echoed(): Promise<boolean> {
    const shown = () => wasEchoed(this.#line.printable, this.#o.screen.writtenSinceMark);
    const deadline = performance.now() + this.#o.state.config.echo_wait;
    while (!shown()) {
      const left = deadline - performance.now();
      if (left <= 0 || this.#closed) return false;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.#echoWaiter = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.#echoWaiter = null;
    }
    return true;
  }

  #scheduleIdleFlush(): void {
    if (this.#idleTimer) clearTimeout(this.#idleTimer);
    this.#idleTimer = setTimeout(() => {
      this.#idleTimer = null;
      const echoed = wasEchoed(this.#line.printable, this.#o.screen.writtenSinceMark);
      this.#flushTyped(echoed);
    }, IDLE_FLUSH_MS);
    this.#idleTimer.unref();
  }

  /** Records the keystrokes typed so far: as typed when echoed, else their length only. */
  #flushTyped(visible: boolean, last?: Buffer): void {
    const keys = last ? [...this.#typed, last] : this.#typed;
    this.#typed = [];
    const bytes = keys.reduce((n, k) => n + k.length, 0);
    if (bytes === 0) return;
    const t = this.#o.recorder.now();
    this.#o.state.record(
      'ssh.input',
      visible
        ? { channel: this.#o.channelId, t, data: Buffer.concat(keys).toString('utf8') }
        : { channel: this.#o.channelId, t, hidden: true, bytes, note: 'typed with echo off: not stored' },
    );
  }
}
