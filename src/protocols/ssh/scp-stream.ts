// The legacy scp protocol (`scp -O`, or old clients), read passively from the side that sends the
// files: the client's input for an upload (`scp -t DIR` runs on the host), the host's output for a
// download (`scp -f PATH`). The sender writes control lines (`C0644 SIZE NAME`, `D0755 0 NAME`,
// `E`, `T…`), each file's bytes, then one zero byte. Each file becomes an ssh.file record with its
// path, size and SHA-256. Pure apart from the record callback; control lines are bounded.
// The stream comes back as pieces to pass on: a control line is held until it is whole, and a
// `C` or `D` line names the path it opens, to be judged before the line goes on (the receiver
// acknowledges each line before the sender goes on, so nothing of that file has been sent yet).
import { posix } from 'node:path';
import { FileDigest } from './file-digest.js';
import { simpleCommandWords, unquoteWord } from './shell-word.js';

const MAX_CONTROL_LINE = 4096;

export interface ScpFile {
  readonly operation: 'upload' | 'download';
  /** The file's name as the sender named it, under the directories it opened. */
  readonly path: string;
  /** The path on the scp command line (a directory or the file itself on the host). */
  readonly target: string;
  readonly size: number;
  readonly sha256: string | null;
  readonly incomplete: string | null;
  /** The file, when the connection keeps contents and it fits. */
  readonly contents: Buffer | null;
}

/** Bytes to pass on, and the path they open (a file or directory line), judged before they go. */
export interface ScpPiece {
  readonly bytes: Buffer;
  readonly opens: string | null;
  /** A control line Vigil cannot read (too long, or a name the receiver would refuse). */
  readonly unreadable?: string;
}

type State =
  | { readonly kind: 'line'; bytes: Buffer[]; length: number }
  | { readonly kind: 'body'; readonly name: string; left: number; readonly digest: FileDigest }
  | { readonly kind: 'status'; readonly name: string; readonly digest: FileDigest };

/** What an exec command says about a legacy scp transfer, or null when it is not one. */
export function scpCommand(
  command: string,
): { direction: 'upload' | 'download'; target: string; uncertain: string | null } | null {
  const simple = simpleCommandWords(command.trim());
  const words = simple ?? command.trim().split(/\s+/);
  // `/usr/bin/scp -t` and `'scp' -t` run the same program as `scp -t`.
  const program = unquoteWord(words[0] ?? '');
  if (program.slice(program.lastIndexOf('/') + 1) !== 'scp') return null;
  let direction: 'upload' | 'download' | null = null;
  const paths: string[] = [];
  let options = true;
  for (const word of words.slice(1)) {
    if (options && word === '--') options = false;
    else if (options && word.startsWith('-')) {
      if (word.includes('t')) direction = 'upload';
      else if (word.includes('f')) direction = 'download';
    } else paths.push(word);
  }
  if (!direction) return null;
  // The host's shell reads the path: quotes are removed as it removes them.
  const target = unquoteWord(paths.at(-1) ?? '');
  const uncertain =
    simple === null
      ? 'an scp command joined to other shell syntax'
      : uncertainPaths(paths, direction, target);
  return { direction, target, uncertain };
}

/**
 * Why the paths the host's files will have cannot be known from the command, or null. Each file's
 * path is its name under the directory the command names (an upload's target, a download's
 * parent): that directory must not be one the host's shell expands (a glob, a variable, `~user`),
 * and a download must name one path (OpenSSH's client runs one `scp -f` per source).
 */
function uncertainPaths(
  paths: readonly string[],
  direction: 'upload' | 'download',
  target: string,
): string | null {
  if (paths.length > 1) return 'an scp command with more than one path';
  const base = direction === 'upload' ? target : posix.dirname(target);
  if (/[*?[\]{}$`]|^~[^/]/.test(base)) return `an scp path the host's shell expands: ${JSON.stringify(base)}`;
  return null;
}

export class ScpStream {
  readonly direction: 'upload' | 'download';
  readonly #target: string;
  readonly #record: (file: ScpFile) => void;
  readonly #dirs: string[] = [];
  #state: State = { kind: 'line', bytes: [], length: 0 };
  #broken = false;

  readonly #keepBytes: number;

  constructor(
    direction: 'upload' | 'download',
    target: string,
    record: (file: ScpFile) => void,
    keepBytes = 0,
  ) {
    this.#keepBytes = keepBytes;
    this.direction = direction;
    this.#target = target;
    this.#record = record;
  }

  /** Reads the next bytes of the stream; returns them as the pieces to pass on, in order. */
  push(chunk: Buffer): ScpPiece[] {
    const pieces: ScpPiece[] = [];
    let at = 0;
    let passed = 0;
    const passOn = (end: number) => {
      if (end > passed) pieces.push({ bytes: chunk.subarray(passed, end), opens: null });
      passed = end;
    };
    while (at < chunk.length && !this.#broken) {
      const state = this.#state;
      if (state.kind === 'body') {
        const n = Math.min(state.left, chunk.length - at);
        state.digest.add(state.digest.size, chunk.subarray(at, at + n));
        state.left -= n;
        at += n;
        if (state.left === 0) this.#state = { kind: 'status', name: state.name, digest: state.digest };
      } else if (state.kind === 'status') {
        at++;
        this.#finish(state.name, state.digest, null);
        this.#state = { kind: 'line', bytes: [], length: 0 };
      } else {
        passOn(at);
        const end = chunk.indexOf(0x0a, at);
        const upto = end === -1 ? chunk.length : end + 1;
        // Kept as bytes until the line ends: a name's character may be split across reads.
        state.bytes.push(chunk.subarray(at, upto));
        state.length += upto - at;
        at = upto;
        passed = upto;
        if (state.length > MAX_CONTROL_LINE) {
          this.#broken = true;
          pieces.push({ bytes: Buffer.alloc(0), opens: null, unreadable: 'an scp control line is too long' });
        } else if (end !== -1) {
          const line = Buffer.concat(state.bytes);
          pieces.push(this.#control(line.subarray(0, -1).toString('utf8'), line));
        }
      }
    }
    passOn(at);
    // Once unreadable, the rest is passed on unread: the caller refuses the stream at that piece.
    if (this.#broken && at < chunk.length) pieces.push({ bytes: chunk.subarray(at), opens: null });
    return pieces;
  }

  /** The channel closed: a file cut short is recorded as incomplete. */
  close(): void {
    const state = this.#state;
    if (state.kind !== 'line')
      this.#finish(state.name, state.digest, 'the transfer ended before the file did');
    this.#state = { kind: 'line', bytes: [], length: 0 };
  }

  #control(line: string, bytes: Buffer): ScpPiece {
    this.#state = { kind: 'line', bytes: [], length: 0 };
    const file = /^C[0-7]{4} (\d+) (.+)$/.exec(line);
    if (file) {
      const size = Number(file[1]);
      const digest = new FileDigest(this.#keepBytes);
      this.#state =
        size === 0
          ? { kind: 'status', name: file[2]!, digest }
          : { kind: 'body', name: file[2]!, left: size, digest };
      return this.#opening(file[2]!, bytes);
    }
    const dir = /^D[0-7]{4} \d+ (.+)$/.exec(line);
    if (dir) {
      const piece = this.#opening(dir[1]!, bytes);
      this.#dirs.push(dir[1]!);
      return piece;
    }
    if (line === 'E') this.#dirs.pop();
    // T (times) and \x01/\x02 (warnings, errors) lines carry no file.
    return { bytes, opens: null };
  }

  /**
   * A file or directory line, as the path it opens under the target. A name with a slash, `.` or
   * `..` is one OpenSSH's receiver refuses, and would reach outside the path judged: unreadable.
   */
  #opening(name: string, bytes: Buffer): ScpPiece {
    if (name.includes('/') || name === '.' || name === '..') {
      this.#broken = true;
      return {
        bytes,
        opens: null,
        unreadable: `an scp name that leaves its directory: ${JSON.stringify(name)}`,
      };
    }
    // An upload's names are under its target; a download's sender names the target itself first.
    const base = this.direction === 'upload' ? this.#target || '.' : posix.dirname(this.#target);
    return { bytes, opens: posix.join(base, ...this.#dirs, name) };
  }

  #finish(name: string, digest: FileDigest, incomplete: string | null): void {
    const done = digest.finish();
    this.#record({
      operation: this.direction,
      path: [...this.#dirs, name].join('/'),
      target: this.#target,
      size: done.size,
      sha256: incomplete ? null : done.sha256,
      incomplete: incomplete ?? done.incomplete,
      contents: incomplete ? null : digest.contents(),
    });
  }
}
