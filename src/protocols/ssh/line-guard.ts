// The interactive guard of a terminal channel. Keystrokes go to the host as they are typed (the
// host echoes them, completes them, draws them), but each Enter is held: the line it would run is
// assembled (input-line.ts, or read from the screen when editing keys were used), submitted as an
// ssh.command, judged, recorded, and only then is the Enter sent. A denied line is erased and
// dropped with ^C and never runs; the user sees why and gets a fresh prompt. When the screen can be
// trusted (the host has drawn what the keys did, or a new line after ^C) is host-output.ts's job.
//
// Keystrokes are recorded (ssh.input) only once Vigil knows the host echoed them: a line typed
// while the terminal showed nothing (a password at a sudo, passwd or `read -s` prompt) is recorded
// as "typed, not stored", with its length only, and is not judged as a command. A line of a
// here-document a password is read from (`docker login --password-stdin <<EOF`, heredoc-secret.ts)
// is echoed, but is a password all the same: its keys are recorded so too, its echo masked.
import type { ServerChannel } from 'ssh2';
import { toVigilError, VigilError } from '../../core/errors.js';
import { cutForRecord } from '../../core/record-cut.js';
import type { ConnectionState } from './connection-state.js';
import { bodyLineRefusal, HereDocumentLines } from './heredoc-secret.js';
import { HostOutput } from './host-output.js';
import { END_OF_FILE, InputLine, type UnseenRun, wasEchoed } from './input-line.js';
import { historyRefusal, transferRefusal, unseenRunRefusal } from './line-refusals.js';
import type { ScreenLine } from './screen-line.js';
import { continueStatement } from './shell-continuation.js';
import type { TerminalRecorder } from './terminal-recorder.js';
import { refusalText, terminalNotice } from './wire-errors.js';

/**
 * ^G ^E ^U: end a pending ^X (which would make ^E edit-and-run and ^U undo), go to the end of the
 * line, then kill back to its start, so the whole line goes wherever the cursor was (^U alone keeps
 * what is right of the cursor: Home, then Enter, ran the line).
 */
const ERASE_LINE = Buffer.from([0x07, 0x05, 0x15]);
/** How long a refused line's erase is given to show on the screen before the ^C. */
const ERASE_WAIT_MS = 2000;
/**
 * ^G: abort, which ends a pending ^X, ESC or numeric argument in the host's line editor without
 * touching the line.
 */
const CANCEL_PREFIX = Buffer.from([0x07]);
/** How the keys of a here-document line a password is read from are recorded. */
const SECRET_NOTE = 'a here-document line a password is read from: not stored';
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
  readonly #host: HostOutput;
  /** Vigil sent ^C to drop a refused line: the next line is read from the screen. */
  #interrupted = false;
  /** The line now typed is the first after such an interrupt. */
  #afterInterrupt = false;
  /** A statement the shell still reads on (a trailing backslash, an open quote): its lines so far. */
  #open = '';
  /** Here-documents whose bodies the host reads next. */
  readonly #heredoc = new HereDocumentLines();
  /**
   * A line ^D handed to the host without an Enter (input-line.ts, END_OF_FILE): a program reading
   * the terminal without a line editor holds it and reads the next keys as its rest, so the next
   * line is judged with it in front. The prompt column stays where that line began.
   */
  #handed = '';

  constructor(options: LineGuardOptions) {
    this.#o = options;
    this.#line = new InputLine(options.state.config.max_line_bytes);
    this.#host = new HostOutput(options.screen);
  }

  /** The host wrote to the terminal: an Enter waiting for the echo may go on. */
  outputArrived(): void {
    this.#host.arrived();
  }

  close(): void {
    this.#host.close();
    this.#flushTyped(false);
    if (this.#idleTimer) clearTimeout(this.#idleTimer);
  }

  /** Handles a chunk of keystrokes; a promise while an Enter is being judged. */
  typed(chunk: Buffer): Promise<void> | undefined {
    const rest = chunk;
    while (rest.length > 0) {
      if (!this.#lineStarted) this.#startLine();
      this.#line.bracketedPaste = this.#o.screen.bracketedPaste;
      this.#heredoc.typed(rest, this.#line.text === '');
      const { used, enter, runsUnseen } = this.#line.consume(rest);
      if (used > 0) {
        const keys = rest.subarray(0, used);
        this.#typed.push(Buffer.from(keys));
        const sent = this.#o.write(keys);
        this.#host.keySent();
        if (sent && !enter && !runsUnseen) {
          const after = rest.subarray(used);
          return sent.then(() => this.typed(after));
        }
      }
      if (runsUnseen) {
        const after = rest.subarray(used + 1);
        return this.#refuseUnseenRun(runsUnseen).then(() =>
          after.length > 0 ? this.typed(after) : undefined,
        );
      }
      if (!enter) break;
      const after = rest.subarray(used + 1);
      // The key itself is passed on once the line is allowed (^J and ^O run it as ^M does).
      return this.#enter(Buffer.from(rest.subarray(used, used + 1))).then(() =>
        after.length > 0 ? this.typed(after) : undefined,
      );
    }
    this.#scheduleIdleFlush();
    return undefined;
  }

  #startLine(): void {
    this.#lineStarted = true;
    this.#o.recorder.hold();
    this.#o.screen.mark();
    if (this.#handed === '') this.#promptColumn = this.#o.screen.cursor;
    // After an interrupt Vigil sent, the host's line may hold what keystrokes do not tell (a shell
    // may take the first key for its own): an echoed line is read from the screen.
    this.#afterInterrupt = this.#interrupted;
    this.#interrupted = false;
    this.#lineOffset = this.#o.recorder.offset;
    this.#lineTime = this.#o.recorder.now();
  }

  /** `secrets`: the line's texts, when its echo is to be masked in the recording. */
  #endLine(secrets: readonly string[] = []): void {
    this.#line.reset();
    this.#typed = [];
    this.#lineStarted = false;
    this.#o.recorder.release(secrets);
  }

  async #enter(key: Buffer): Promise<void> {
    if (this.#idleTimer) clearTimeout(this.#idleTimer);
    const line = this.#line;
    // ^C drops the statement the shell held open along with the line, and a here-document.
    if (line.abandoned) this.#dropOpen();
    const fromScreen = line.uncertain || this.#afterInterrupt;
    const echoed = await this.#echoed();
    // Keys and Enter often come in one chunk: the screen is read once the host has drawn what the
    // keys did (a recalled history line would otherwise read as the empty line before it).
    if (fromScreen && echoed) await this.#host.settled(this.#o.state.config.echo_wait);
    // After a line ^D handed over, the screen shows it from its own start; the keys are this line's only.
    const shown = fromScreen
      ? this.#o.screen.text.slice(this.#promptColumn).trimEnd()
      : this.#handed + line.text;
    const handed = this.#handed;
    this.#handed = '';
    const endOfFile = key[0] === END_OF_FILE;
    const typed = shown.trim();
    // A body line of a here-document a password is read from (not its terminator): a secret.
    const secret = this.#heredoc.secretLine(shown);
    // What the keys alone make of a line read from the screen: judged too (action-facts.ts).
    const keystrokes = fromScreen ? this.#reading((handed + line.text).trim(), secret).statement : '';
    if (typed === '' && line.printable === '' && this.#open === '' && !line.uncertain) {
      // An empty line (or only control keys) ending no statement: nothing to judge, nothing secret.
      this.#flushTyped(true, key);
      this.#endLine();
      this.#emptyLineSent();
      await this.#o.write(key);
      return;
    }
    // The shell runs this line with the earlier lines of a statement it still reads on: judged together.
    const continued = this.#open !== '' && !secret;
    const { statement, open } = this.#reading(typed, secret);
    if (!echoed) return this.#enterUnseen(handed + line.text, line.uncertain, line.overflow, key);
    this.#flushTyped(!secret, key, SECRET_NOTE);
    const { state, channelId } = this.#o;
    const index = this.#commands++;
    const payload = {
      channel: channelId,
      index,
      command: line.overflow ? cutForRecord(statement, 256) : statement,
      t: this.#lineTime,
      offset: this.#lineOffset,
      source: fromScreen ? 'screen' : 'keystrokes',
      ...(keystrokes !== '' && keystrokes !== statement && !line.overflow && !secret ? { keystrokes } : {}),
      ...(continued ? { continued: true, line: line.overflow ? cutForRecord(typed, 256) : typed } : {}),
      ...(secret ? { heredoc: true } : {}),
      ...(line.overflow ? { truncated: true } : {}),
      ...(endOfFile ? { key: 'end-of-file' } : {}),
    };
    const refusal = line.overflow
      ? new VigilError('message_too_large', `the command line exceeds ${state.config.max_line_bytes} bytes`)
      : line.uncertain && typed === ''
        ? // History or cursor keys were used and the screen shows nothing: what the line holds is unknown.
          new VigilError(
            'statement_uncertain',
            'the line was edited with history or cursor keys and the screen does not show it; type it again',
          )
        : ((secret
            ? bodyLineRefusal(state.session.judge('ssh.command', { ...payload, line: typed }))
            : null) ??
          historyRefusal([statement, keystrokes, continued ? typed : '']) ??
          transferRefusal([statement, keystrokes]));
    this.#endLine(secret ? [typed, line.text.trim()] : []);
    try {
      if (refusal) {
        await state.session.refuseAction('ssh.command', payload, refusal);
        throw refusal;
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
      if (this.#host.closed) return;
      // Refused: the host erases and drops the line it holds, and the user sees why.
      await this.#refused(refusalText(toVigilError(err)), true);
      return;
    }
    if (endOfFile && !secret) this.#handed = shown;
    else this.#lineSent(shown, statement, open, secret);
    await this.#o.write(key);
  }

  /**
   * The statement judged and recorded for a line: a secret here-document line with the statement
   * that opened it (the masker masks the line in it), any other with the statement it continues.
   * Other here-documents' lines are still read as statements: `bash <<EOF` runs them.
   */
  #reading(line: string, secret: boolean): { statement: string; open: boolean } {
    return secret
      ? { statement: this.#heredoc.statementFor(line), open: false }
      : continueStatement(this.#open, line);
  }

  /** The host is sent the line: a body line may end its here-document, a command may open one. */
  #lineSent(line: string, statement: string, open: boolean, secret: boolean): void {
    if (this.#heredoc.inBody) this.#heredoc.bodySent(line);
    else this.#heredoc.commandSent(statement, this.#open);
    // A password line is no part of a statement: later lines are never judged or recorded with it.
    if (!secret) this.#open = open ? statement : '';
  }

  #dropOpen(): void {
    this.#open = '';
    this.#handed = '';
    this.#heredoc.reset();
  }

  /**
   * A key that would make the host run a line with no Enter to hold (input-line.ts, UnseenRun):
   * ^X^E runs what an editor leaves, ^X e a recorded macro's Enter, M-# with an argument the line
   * uncommented. Its last byte is not passed on; ^G cancels the prefix the host already has (^X,
   * ESC, a numeric argument), the line stays as it was, and Enter runs it the ordinary, judged way.
   */
  async #refuseUnseenRun(key: UnseenRun): Promise<void> {
    const { state, channelId } = this.#o;
    const error = unseenRunRefusal(key);
    await this.#o.write(CANCEL_PREFIX);
    try {
      await state.session.refuseAction(
        'ssh.command',
        {
          channel: channelId,
          index: this.#commands++,
          t: this.#o.recorder.now(),
          offset: this.#o.recorder.offset,
          source: 'keystrokes',
          key,
          ...(key === 'edit-and-execute-command' ? { editor: true } : {}),
        },
        error,
      );
    } catch {
      // Refused all the same: the ^E never reaches the host.
    }
    if (!this.#host.closed) this.#o.client.write(terminalNotice(refusalText(error)));
  }

  /** The host was sent an empty line: a statement it reads on takes it as one more (empty) line. */
  #emptyLineSent(): void {
    if (this.#open === '') return;
    const next = continueStatement(this.#open, '');
    this.#open = next.open ? next.statement : '';
  }

  /**
   * Enter on a line the host did not echo: a password at a sudo or `read -s` prompt, or a command
   * typed blind after `stty -echo`. Only its length is recorded, but it is still judged, by its text
   * in memory, so echo off is no way around a rule: a line a rule would deny or hold is refused
   * (a held one cannot be reviewed without showing it), recorded as refused without its text.
   */
  async #enterUnseen(raw: string, uncertain: boolean, overflow: boolean, key: Buffer): Promise<void> {
    const { state, channelId } = this.#o;
    const text = raw.trim();
    const secret = this.#heredoc.secretLine(raw);
    const bytes = this.#typed.reduce((n, k) => n + k.length, 0);
    const facts = { channel: channelId, t: this.#lineTime, offset: this.#lineOffset };
    this.#flushTyped(false, key);
    this.#endLine();
    const { statement, open } = this.#reading(text, secret);
    // Edited with keys Vigil cannot follow (history, cursor movement), the line's text is not known,
    // and with echo off the screen cannot tell it either: refused rather than judged by a guess.
    // History expansion is not refused here: a password at a sudo prompt may hold `!x`.
    // Past max_line_bytes the text is not kept, so what follows the kept part is unknown: refused.
    const decision =
      uncertain || overflow
        ? null
        : statement.trim() === ''
          ? { action: 'allow' as const }
          : state.session.judge('ssh.command', {
              ...facts,
              command: statement,
              ...(secret ? { line: text } : {}),
            });
    if (decision?.action === 'allow') {
      if (key[0] === END_OF_FILE && !secret) this.#handed = raw;
      else this.#lineSent(raw, statement, open, secret);
      await this.#o.write(key);
      return;
    }
    const error = overflow
      ? new VigilError('message_too_large', `the command line exceeds ${state.config.max_line_bytes} bytes`)
      : decision === null
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
        {
          ...facts,
          index: this.#commands++,
          hidden: true,
          bytes,
          source: 'keystrokes',
          ...(overflow ? { truncated: true } : {}),
        },
        error,
      );
    } catch {
      // Refused all the same: the line does not run.
    }
    if (this.#host.closed) return;
    await this.#refused(refusalText(error), false);
  }

  /**
   * Erases a refused line, says why, and sends ^C, which makes the host's line editor drop the line
   * whatever its mode. ^C and not an Enter: a line editor that does not read ^E ^U so (vi mode)
   * keeps the line, where an Enter would run it, and whether the line is gone can only be read from
   * the screen, which a background job writing to the terminal can draw. The erase is given time to
   * show first (a long line takes the host a while to redraw): a ^C that reaches a busy host
   * discards the keys it has not read yet, the erase among them.
   */
  async #refused(notice: string, visible: boolean): Promise<void> {
    const column = this.#promptColumn;
    await this.#o.write(ERASE_LINE);
    if (visible) {
      await this.#host.shows(
        () => this.#o.screen.text.slice(column).trim() === '',
        Math.max(this.#o.state.config.echo_wait, ERASE_WAIT_MS),
      );
    }
    if (this.#host.closed) return;
    this.#o.client.write(terminalNotice(notice));
    this.#dropOpen();
    // What the host's line holds after an interrupt is read from the screen, not from keystrokes.
    this.#interrupted = true;
    await this.#host.interrupt(this.#o.write);
  }

  /** Whether the host echoed this line's keystrokes, waiting up to echo_wait for the echo to come. */
  #echoed(): Promise<boolean> {
    return this.#host.shows(
      () => wasEchoed(this.#line.printable, this.#o.screen.writtenSinceMark),
      this.#o.state.config.echo_wait,
    );
  }

  #scheduleIdleFlush(): void {
    if (this.#idleTimer) clearTimeout(this.#idleTimer);
    this.#idleTimer = setTimeout(() => {
      this.#idleTimer = null;
      const echoed = wasEchoed(this.#line.printable, this.#o.screen.writtenSinceMark);
      const secret = this.#heredoc.secret;
      this.#flushTyped(echoed && !secret, undefined, secret ? SECRET_NOTE : undefined);
    }, IDLE_FLUSH_MS);
    this.#idleTimer.unref();
  }

  /** Records the keystrokes typed so far: as typed when echoed and no secret, else their length only. */
  #flushTyped(visible: boolean, last?: Buffer, note = 'typed with echo off: not stored'): void {
    const keys = last ? [...this.#typed, last] : this.#typed;
    this.#typed = [];
    const bytes = keys.reduce((n, k) => n + k.length, 0);
    if (bytes === 0) return;
    const t = this.#o.recorder.now();
    this.#o.state.record(
      'ssh.input',
      visible
        ? { channel: this.#o.channelId, t, data: Buffer.concat(keys).toString('utf8') }
        : { channel: this.#o.channelId, t, hidden: true, bytes, note },
    );
  }
}
