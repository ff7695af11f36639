// Here-documents typed at a prompt. After `docker login --password-stdin -u bob reg <<EOF` and
// Enter, the shell reads the next lines (at its `> ` prompt) as the document's body, up to `EOF`:
// they are data, not commands, and when the command reads a password from its input (the commands
// shell-positional.ts knows: `--password-stdin` tools, `chpasswd`, `passwd --stdin`, `sudo -S`…)
// each of them is a password, typed with the echo on. LineGuard asks this class, line by line,
// whether the line now typed is such a body line; if so it records the line the masker's way (the
// opener with the line, which the masker reads as a here-document and masks whole), the keys as
// typed but not stored, and the echo masked in the terminal recording.
//
// Erring on masking: the terminator is matched as the shell matches it (the whole line, after tabs
// for `<<-`); a body never closed stays open until ^C or a refused line drops it. A line Vigil
// cannot read exactly (edited with history keys) still counts as one body line.
import { VigilError } from '../../core/errors.js';
import { endsHereDocument } from '../../mask/shell-heredoc.js';
import { hereDocumentsOpened, type OpenedHereDocument } from '../../mask/shell-line.js';
import type { PolicyDecision } from '../../pipeline/policy.js';

/**
 * A password line is also judged alone (its payload with `line`), without being recorded: a shell
 * that is not reading the body Vigil follows (the opener went to a program reading the terminal,
 * which then exited) runs it as a command. Judged only with its opener, such a line ran past a rule
 * denying it, and was recorded masked. A rule that would deny or hold it refuses it (a held one
 * cannot be reviewed without showing the password).
 */
export function bodyLineRefusal(alone: PolicyDecision): VigilError | null {
  if (alone.action === 'allow') return null;
  return new VigilError(
    'policy_denied',
    alone.action === 'deny'
      ? `denied by rule ${alone.rule}: ${alone.reason} (a here-document line, judged alone too)`
      : `a here-document line a password is read from matches review rule ${alone.rule}; it is not stored, so it cannot be reviewed`,
    { details: { rule: alone.rule } },
  );
}

export class HereDocumentLines {
  /** Here-documents whose bodies the host reads next, in order. */
  #pending: OpenedHereDocument[] = [];
  /** The statement that opened them, and the terminator lines of those already ended. */
  #context: string[] = [];

  /** Whether the host reads the next line as a here-document's body, not as a command. */
  get inBody(): boolean {
    return this.#pending.length > 0;
  }

  /** Whether the body the next line belongs to goes to a command that reads a password from it. */
  get secret(): boolean {
    const doc = this.#pending[0];
    return doc !== undefined && doc.reader !== null;
  }

  /** Whether `line`, typed now, is a line of such a body (not its terminator): a password. */
  secretLine(line: string): boolean {
    const doc = this.#pending[0];
    return doc !== undefined && doc.reader !== null && !endsHereDocument(line, doc);
  }

  /**
   * A command line the host was sent: `statement` is what the shell has read of the statement so
   * far, `before` what it had before this line (`''` for none), so only operators on this line count.
   */
  commandSent(statement: string, before: string): void {
    const opened = hereDocumentsOpened(statement).slice(
      before === '' ? 0 : hereDocumentsOpened(before).length,
    );
    if (opened.length === 0) return;
    this.#pending.push(...opened);
    this.#context = [statement];
  }

  /**
   * The text a body line is judged and recorded as: the opening statement, the terminators of the
   * bodies before this one, and the line. The masker reads it as the shell does and masks the line
   * whole; policy sees which command the line is fed to.
   */
  statementFor(line: string): string {
    return [...this.#context, line].join('\n');
  }

  /** A body line the host was sent: the terminator ends the body. */
  bodySent(line: string): void {
    const doc = this.#pending[0];
    if (doc === undefined || !endsHereDocument(line, doc)) return;
    this.#pending.shift();
    if (this.#pending.length === 0) this.#context = [];
    else this.#context.push(line);
  }

  /**
   * Keys typed on a line (`lineEmpty`: nothing typed on it before them). ^D on an empty line ends
   * the input of whatever reads it: the shell ends the here-document, and a program (`cat`) that
   * was sent the opener, with no shell reading it, exits. Either way no body follows, so lines
   * typed next are commands, judged and recorded as such: a command hidden behind a forged opener
   * was recorded masked until 6 December.
   */
  typed(keys: Uint8Array, lineEmpty: boolean): void {
    if (lineEmpty && keys[0] === 0x04) this.reset();
  }

  /** ^C, or a line Vigil dropped: the shell discards what it was reading. */
  reset(): void {
    this.#pending = [];
    this.#context = [];
  }
}
