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
import type { ConnectionState } from './connection-state.js';
import { continueStatement } from './shell-continuation.js';
import { unquoteWord } from './shell-word.js';
import type { TerminalRecorder } from './terminal-recorder.js';

export interface StdinCommandsOptions {
  readonly state: ConnectionState;
  readonly channelId: number;
  readonly recorder: TerminalRecorder;
  /** Sends bytes to the host; a promise while its window is full. */
  readonly write: (chunk: Buffer) => Promise<void> | undefined;
  /** Tells the user something (their channel's stderr): a line held for approval. */
  readonly notice: (text: string) => void;
}

const NEWLINE = 0x0a;

/** Shells that read their commands from standard input when given no script and no -c. */
const SHELLS = new Set(['sh', 'bash', 'dash', 'zsh', 'ksh', 'mksh', 'ash', 'posh', 'yash']);

/**
 * Whether a remote command is a shell reading its commands from the channel's input
 * (`ssh host bash < script`, `ssh host 'sh -s' < script`): then that input is command lines, as
 * for a shell request. Read from the command's words: a known shell, with no `-c` and no script
 * file (any word that is not an option) unless `-s` says the commands come from the input anyway.
 */
export function readsCommandsFromInput(command: string): boolean {
  const words = command.trim().split(/\s+/).map(unquoteWord);
  let i = 0;
  while (i < words.length && /^[A-Za-z_][A-Za-z0-9_]*=/.test(words[i]!)) i++;
  if (words[i] === 'exec') i++;
  const program = words[i] ?? '';
  if (!SHELLS.has(program.slice(program.lastIndexOf('/') + 1))) return false;
  const rest = words.slice(i + 1);
  const options = rest.filter((w) => /^[-+]/.test(w) && w !== '--' && w !== '-');
  if (options.some((w) => /^-[A-Za-z]*c/.test(w))) return false;
  if (options.some((w) => /^-[A-Za-z]*s/.test(w))) return true;
  // `-o NAME` and `-O NAME` take a value that is not a script.
  const operands = rest.filter((w, n) => !/^[-+]/.test(w) && !/^[-+][oO]$/.test(rest[n - 1] ?? ''));
  return operands.length === 0 || (operands.length === 1 && operands[0] === '-');
}

export class StdinCommands {
  readonly #o: StdinCommandsOptions;
  #pending: Buffer[] = [];
  #pendingBytes = 0;
  #open = '';
  #commands = 0;

  constructor(options: StdinCommandsOptions) {
    this.#o = options;
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
  }

  /**
   * A NUL byte on a shell's input: bash and dash drop it (`forbidden-\0marker` runs as
   * `forbidden-marker`), zsh keeps it and a program gets its argument cut there. What runs cannot
   * be told from the text, so the line is refused, as a line a rule denies is.
   */
  async #withNul(text: string): Promise<never> {
    const { state, channelId, recorder } = this.#o;
    const error = new VigilError(
      'statement_uncertain',
      "a command line on the shell's input holds a NUL byte",
    );
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
