// The guard of a shell started without a terminal (`ssh -T host < script`, `ssh host bash <
// script`, a program driving ssh through pipes). Such a shell reads its commands from the channel's input, a line at a time, so
// that input is command lines, not data: each line is an ssh.command (`source: stdin`), judged and
// recorded before it reaches the host, as a line typed at a prompt is. Nothing to erase here: a
// refused line ends the channel (the lines before it have run; none after it reach the host). The
// shell cannot run a line before its newline, and the rest after the user's EOF is judged before
// the EOF is passed on. Lines of a statement the shell reads on (a trailing backslash, an open
// quote) are judged together (shell-continuation.ts).
import { VigilError } from '../../core/errors.js';
import { cutForRecord } from '../../core/record-cut.js';
import { simpleCommands } from './action-facts.js';
import type { ConnectionState } from './connection-state.js';
import { historyRerun } from './history-reruns.js';
import { expandsHistoryAtStart } from './input-shells.js';
import { continueStatement } from './shell-continuation.js';
import { unquoteWord } from './shell-word.js';
import type { TerminalRecorder } from './terminal-recorder.js';
import { startsTransferServer } from './transfer-commands.js';

export interface StdinCommandsOptions {
  readonly state: ConnectionState;
  readonly channelId: number;
  readonly recorder: TerminalRecorder;
  /** Sends bytes to the host; a promise while its window is full. */
  readonly write: (chunk: Buffer) => Promise<void> | undefined;
  /** Tells the user something (their channel's stderr): a line held for approval. */
  readonly notice: (text: string) => void;
  /** The shell expands history from its first line (`bash -i`, `bash -H`): see expandsHistoryAtStart. */
  readonly expandsHistory?: boolean;
}

const NEWLINE = 0x0a;

/** `set +H`, `set +o histexpand`: the plain forms that turn history expansion off. */
const SET_HISTEXPAND_OFF = /\bset\s+(?:[-+][A-Za-z]*\s+)*(?:\+[A-Za-z]*H|\+o\s+histexpand)\b/;
/** Builtins that run text the line does not show (`eval "$x"`, `. ./file`): they may set options too. */
const RUNS_HIDDEN_TEXT = new Set(['eval', 'source', '.']);

/**
 * Whether a line may turn history expansion on for the lines after it. Any spelling counts, not
 * only `set -H`: `set -o history -o histexpand`, `set -Bo history -H`, `shopt -os histexpand`,
 * options the shell expands (`set -$x`), text it runs unseen (`eval`, `source`, `.`), and a shell
 * started on the input that expands history itself (`bash -i`, which reads the next lines). Until
 * 6 December only `set -H` and `set -o histexpand` at the start of set's words were seen, and
 * `set -o history -o histexpand` let `!!:1` build a line from earlier ones unjudged. Counted on
 * for a line that only might (fail closed): it costs refusing a later `!x`, never running one.
 */
function mayTurnHistoryOn(statement: string): boolean {
  if (expandsHistoryAtStart(statement)) return true;
  return simpleCommands(statement).some(({ chain, args }) => {
    const name = chain.at(-1)!.name;
    if (RUNS_HIDDEN_TEXT.has(name)) return true;
    if (name !== 'set' && name !== 'shopt') return false;
    const words = args.map(unquoteWord);
    if (args.some((w) => /[$`]/.test(w)) || words.some((w) => /^-[A-Za-z]*H/.test(w))) return true;
    // `set -o histexpand` turns it on, `set +o histexpand` off; `shopt -s -o` on, `-u` off.
    return words.some((w, i) =>
      w !== 'histexpand'
        ? false
        : name === 'set'
          ? words[i - 1] !== '+o'
          : !words.some((o) => /^-[A-Za-z]*u/.test(o)),
    );
  });
}

export class StdinCommands {
  readonly #o: StdinCommandsOptions;
  #pending: Buffer[] = [];
  #pendingBytes = 0;
  #open = '';
  #commands = 0;
  #expandsHistory: boolean;

  constructor(options: StdinCommandsOptions) {
    this.#o = options;
    this.#expandsHistory = options.expandsHistory === true;
  }

  /** Takes a chunk of the shell's input; each complete line is judged before it is passed on. */
  async typed(chunk: Buffer): Promise<void> {
    let rest = chunk;
    for (let at = rest.indexOf(NEWLINE); at >= 0; at = rest.indexOf(NEWLINE)) {
      await this.#line(Buffer.concat([...this.#pending, rest.subarray(0, at + 1)]));
      this.#pending = [];
      this.#pendingBytes = 0;
      rest = rest.subarray(at + 1);
    }
    if (rest.length === 0) return;
    this.#pending.push(Buffer.from(rest));
    this.#pendingBytes += rest.length;
    if (this.#pendingBytes > this.#o.state.config.max_line_bytes) await this.#tooLong();
  }

  /** The user's EOF: a last line without a newline runs too, so it is judged before the EOF passes. */
  async end(): Promise<void> {
    if (this.#pendingBytes === 0) return;
    const last = Buffer.concat(this.#pending);
    this.#pending = [];
    this.#pendingBytes = 0;
    await this.#line(last);
  }

  async #line(bytes: Buffer): Promise<void> {
    const { state, channelId, recorder } = this.#o;
    if (bytes.length > state.config.max_line_bytes) return this.#tooLong(bytes);
    const text = bytes.toString('utf8').replace(/\r?\n$/, '');
    if (bytes.includes(0)) return this.#withNul(text);
    const continued = this.#open !== '';
    const { statement, open } = continueStatement(this.#open, text);
    // A line that would run text from the history cannot be judged by its own (fail closed).
    const rerun = this.#expandsHistory ? historyRerun(statement) : null;
    if (rerun)
      return this.#refuse(text, new VigilError('statement_uncertain', `the line cannot be judged: ${rerun}`));
    // The sftp server or scp's server side started from a shell's input would read the lines after
    // this one as its protocol: judged as command lines, never as the files they write.
    if (startsTransferServer(statement))
      return this.#refuse(
        text,
        new VigilError(
          'statement_uncertain',
          "a file transfer started on a shell's input cannot be judged file by file",
        ),
      );
    const turnsOn = mayTurnHistoryOn(statement);
    const turnsOff = !turnsOn && SET_HISTEXPAND_OFF.test(statement);
    // Turned on by a line that may yet be refused: counted on at once, never off before the line runs.
    if (turnsOn) this.#expandsHistory = true;
    if (text.trim() !== '') {
      await state.session.submit(
        'ssh.command',
        {
          channel: channelId,
          index: this.#commands++,
          command: statement,
          t: recorder.now(),
          offset: recorder.offset,
          source: 'stdin',
          ...(continued ? { continued: true, line: text } : {}),
        },
        {
          signal: state.signal,
          onHeld: (held) =>
            this.#o.notice(
              `vigil: held for approval ${held.approvalId} (rule ${held.rule}); waiting until ${held.expiresAt}`,
            ),
        },
      );
    }
    this.#open = open ? statement : '';
    await this.#o.write(bytes);
    if (turnsOff) this.#expandsHistory = false;
  }

  /**
   * A NUL byte on a shell's input: bash and dash drop it (`forbidden-\0marker` runs as
   * `forbidden-marker`), zsh keeps it and a program gets its argument cut there. What runs cannot
   * be told from the text, so the line is refused, as a line a rule denies is.
   */
  async #withNul(text: string): Promise<never> {
    return this.#refuse(
      text,
      new VigilError('statement_uncertain', "a command line on the shell's input holds a NUL byte"),
    );
  }

  /** A line refused before it is judged by policy: recorded as refused, and nothing more passes. */
  async #refuse(text: string, error: VigilError): Promise<never> {
    const { state, channelId, recorder } = this.#o;
    await state.session.refuseAction(
      'ssh.command',
      {
        channel: channelId,
        index: this.#commands++,
        command: text,
        t: recorder.now(),
        offset: recorder.offset,
        source: 'stdin',
      },
      error,
    );
    throw error;
  }

  async #tooLong(bytes?: Buffer): Promise<never> {
    const { state, channelId, recorder } = this.#o;
    const text = (bytes ?? Buffer.concat(this.#pending)).toString('utf8');
    const error = new VigilError(
      'message_too_large',
      `a command line on the shell's input exceeds ${state.config.max_line_bytes} bytes`,
    );
    await state.session.refuseAction(
      'ssh.command',
      {
        channel: channelId,
        index: this.#commands++,
        command: cutForRecord(text, 256),
        truncated: true,
        t: recorder.now(),
        offset: recorder.offset,
        source: 'stdin',
      },
      error,
    );
    throw error;
  }
}
