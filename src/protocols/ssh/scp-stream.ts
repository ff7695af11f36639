// The legacy scp protocol (`scp -O`, or old clients), read passively from the side that sends the
// files: the client's input for an upload (`scp -t DIR` runs on the host), the host's output for a
// download (`scp -f PATH`). The sender writes control lines (`C0644 SIZE NAME`, `D0755 0 NAME`,
// `E`, `T…`), each file's bytes, then one zero byte. Each file becomes an ssh.file record with its
// path, size and SHA-256. Pure apart from the record callback; control lines are bounded.
import { FileDigest } from './file-digest.js';

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

type State =
  | { readonly kind: 'line'; bytes: Buffer[]; length: number }
  | { readonly kind: 'body'; readonly name: string; left: number; readonly digest: FileDigest }
  | { readonly kind: 'status'; readonly name: string; readonly digest: FileDigest };

/** What an exec command says about a legacy scp transfer, or null when it is not one. */
export function scpCommand(command: string): { direction: 'upload' | 'download'; target: string } | null {
  const words = command.trim().split(/\s+/);
  if (words[0] !== 'scp') return null;
  let direction: 'upload' | 'download' | null = null;
  let target = '';
  for (const word of words.slice(1)) {
    if (word === '--') continue;
    if (word.startsWith('-')) {
      if (word.includes('t')) direction = 'upload';
      else if (word.includes('f')) direction = 'download';
    } else target = word;
  }
  return direction ? { direction, target } : null;
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

  push(chunk: Buffer): void {
    let at = 0;
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
        const end = chunk.indexOf(0x0a, at);
        const upto = end === -1 ? chunk.length : end;
        // Kept as bytes until the line ends: a name's character may be split across reads.
        state.bytes.push(chunk.subarray(at, upto));
        state.length += upto - at;
        at = end === -1 ? chunk.length : end + 1;
        if (state.length > MAX_CONTROL_LINE) this.#broken = true;
        else if (end !== -1) this.#control(Buffer.concat(state.bytes).toString('utf8'));
      }
    }
  }

  /** The channel closed: a file cut short is recorded as incomplete. */
  close(): void {
    const state = this.#state;
    if (state.kind !== 'line')
      this.#finish(state.name, state.digest, 'the transfer ended before the file did');
    this.#state = { kind: 'line', bytes: [], length: 0 };
  }

  #control(line: string): void {
    this.#state = { kind: 'line', bytes: [], length: 0 };
    const file = /^C[0-7]{4} (\d+) (.+)$/.exec(line);
    if (file) {
      const size = Number(file[1]);
      const digest = new FileDigest(this.#keepBytes);
      this.#state =
        size === 0
          ? { kind: 'status', name: file[2]!, digest }
          : { kind: 'body', name: file[2]!, left: size, digest };
      return;
    }
    const dir = /^D[0-7]{4} \d+ (.+)$/.exec(line);
    if (dir) this.#dirs.push(dir[1]!);
    else if (line === 'E') this.#dirs.pop();
    // T (times) and \x01/\x02 (warnings, errors) lines carry no file.
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
