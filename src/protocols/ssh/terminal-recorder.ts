// Terminal output as asciicast v2 frames: each piece of output keeps its time (seconds since the
// channel started), and frames are recorded as ssh.output events in chunks (by size, frame count or
// age), so a busy terminal costs a few events a second, not one per write. UTF-8 split across writes
// is kept whole. `offset` counts output bytes so a command line can point at its place in the stream.
import { StringDecoder } from 'node:string_decoder';
import type { JsonObject } from '../../core/events.js';
import { isCutSeparator } from '../../core/record-cut.js';

/** An asciicast v2 event: time, kind ('o' output, 'r' resize), data. */
export type Frame = [number, string, string];

/**
 * At most this many characters of a word that a size or age bound would cut are carried into the
 * next chunk instead: the masker reads each chunk on its own, and a key cut in two is not found in
 * either half. A longer unbroken run is cut, to be judged as the long run it is.
 */
const CARRY_CHARS = 4096;

/**
 * `frames` split where the trailing word begins: [recorded now, carried to the next chunk]. Nothing
 * is carried when the frames end at a separator or a resize, or the word is longer than CARRY_CHARS.
 */
function splitTrailingWord(frames: readonly Frame[]): [Frame[], Frame[]] {
  let chars = 0;
  for (let k = frames.length - 1; k >= 0; k--) {
    const [time, kind, data] = frames[k]!;
    if (kind !== 'o') return [frames.slice(0, k + 1), frames.slice(k + 1)];
    for (let i = data.length - 1; i >= 0; i--) {
      if (isCutSeparator(data[i]!)) {
        const head: Frame[] = [...frames.slice(0, k), [time, kind, data.slice(0, i + 1)]];
        const tail: Frame[] = i + 1 < data.length ? [[time, kind, data.slice(i + 1)]] : [];
        return [head, [...tail, ...frames.slice(k + 1)]];
      }
      if (++chars > CARRY_CHARS) return [[...frames], []];
    }
  }
  return [[], [...frames]];
}

/**
 * At most this many frames in a chunk, whatever its bytes: output arriving a byte at a time (a
 * program writing character by character, keys echoed) made a 64 KiB chunk of some 32,000 frames,
 * about 1 MB of JSON every reader of the session parses in one go. Twice CARRY_CHARS, so that the
 * next chunk has room after a carried word of one-character frames.
 */
export const MAX_CHUNK_FRAMES = 2 * CARRY_CHARS;

/** What a secret line's echo is recorded as (the masker's replacements carry a fingerprint; this cannot). */
export const ECHO_MASK = '[MASKED:here-document]';

export interface TerminalRecorderOptions {
  readonly channel: number;
  readonly startedAt: number;
  readonly chunkBytes: number;
  readonly chunkMs: number;
  readonly record: (payload: JsonObject) => void;
}

export class TerminalRecorder {
  readonly #options: TerminalRecorderOptions;
  readonly #decoder = new StringDecoder('utf8');
  #frames: Frame[] = [];
  #bytes = 0;
  #chunkStart = 0;
  #timer: NodeJS.Timeout | null = null;
  #held = false;
  /** The frames before this one were there when the line began (hold()). */
  #heldFrom = 0;
  /** Output bytes taken out of the frames by maskEcho, so that chunk offsets still count the stream's. */
  #removedBytes = 0;
  /** Output bytes seen on the channel so far. */
  offset = 0;

  constructor(options: TerminalRecorderOptions) {
    this.#options = options;
  }

  /** Seconds since the channel started, as asciicast times are. */
  now(): number {
    return Math.round(performance.now() - this.#options.startedAt) / 1000;
  }

  push(chunk: Buffer): void {
    this.offset += chunk.length;
    const text = this.#decoder.write(chunk);
    if (text === '') return;
    if (this.#frames.length === 0) this.#chunkStart = this.offset - chunk.length;
    this.#frames.push([this.now(), 'o', text]);
    this.#bytes += chunk.length;
    if (this.#bytes >= this.#options.chunkBytes || this.#frames.length >= MAX_CHUNK_FRAMES) this.flush(true);
    else this.#flushLater();
  }

  /**
   * While a line is typed at a prompt (LineGuard), its echo is kept in one chunk, up to the size
   * bound: the masker reads a chunk's output as one text, so a password typed as part of a command
   * line (`mysql -p…`) is found in its echo, which arrives one key at a time.
   */
  hold(): void {
    this.#held = true;
    this.#heldFrom = this.#frames.length;
    if (this.#timer !== null) {
      clearTimeout(this.#timer);
      this.#timer = null;
    }
  }

  /**
   * The line ended: the held chunk is recorded. `secrets`: the line is a secret the host echoed (a
   * here-document line a password is read from, heredoc-secret.ts), so its echo is replaced by a
   * mask first. An echo that does not show the line as typed (redrawn, wrapped) is masked whole,
   * with all the output since the line began: masking too much costs a replay some characters.
   */
  release(secrets: readonly string[] = []): void {
    if (!this.#held) return;
    this.#held = false;
    if (secrets.some((s) => s !== '')) this.#maskEcho(secrets);
    this.flush();
  }

  #maskEcho(secrets: readonly string[]): void {
    const from = Math.min(this.#heldFrom, this.#frames.length);
    const starts: number[] = [];
    let joined = '';
    for (const [, kind, data] of this.#frames.slice(from)) {
      starts.push(joined.length);
      if (kind === 'o') joined += data;
    }
    const spans: [number, number][] = [];
    for (const secret of secrets)
      for (let i = secret === '' ? -1 : joined.indexOf(secret); i >= 0; i = joined.indexOf(secret, i + 1))
        spans.push([i, i + secret.length]);
    if (spans.length === 0) spans.push([0, joined.length]);
    spans.sort((a, b) => a[0] - b[0]);
    const merged: [number, number][] = [];
    for (const [a, b] of spans) {
      const last = merged[merged.length - 1];
      if (last !== undefined && a <= last[1]) last[1] = Math.max(last[1], b);
      else merged.push([a, b]);
    }
    for (let k = from; k < this.#frames.length; k++) {
      const [time, kind, data] = this.#frames[k]!;
      if (kind !== 'o') continue;
      const s0 = starts[k - from]!;
      const e0 = s0 + data.length;
      let out = '';
      let at = s0;
      for (const [a, b] of merged) {
        if (b <= s0 || a >= e0) continue;
        out += joined.slice(at, Math.max(a, s0));
        if (a >= s0) out += ECHO_MASK;
        at = Math.min(b, e0);
      }
      out += joined.slice(at, e0);
      this.#removedBytes += Buffer.byteLength(data) - Buffer.byteLength(out);
      this.#frames[k] = [time, kind, out];
    }
  }

  #flushLater(): void {
    if (this.#timer !== null || this.#held) return;
    this.#timer = setTimeout(() => this.flush(true), this.#options.chunkMs);
    this.#timer.unref();
  }

  /** A window size change, in its place among the output frames. */
  resize(cols: number, rows: number): void {
    if (this.#frames.length === 0) this.#chunkStart = this.offset;
    this.#frames.push([this.now(), 'r', `${cols}x${rows}`]);
    this.#flushLater();
  }

  /** Records the last chunk, with any incomplete character at the very end. */
  close(): void {
    const tail = this.#decoder.end();
    if (tail !== '') this.#frames.push([this.now(), 'o', tail]);
    this.flush();
  }

  /**
   * Records the frames so far. `bounded`: a size or age bound is what ends the chunk, so a word it
   * would cut is carried into the next one (splitTrailingWord); a line's end or the channel's end
   * records everything.
   */
  flush(bounded = false): void {
    if (this.#timer !== null) {
      clearTimeout(this.#timer);
      this.#timer = null;
    }
    if (this.#frames.length === 0) return;
    const [frames, carried] = bounded ? splitTrailingWord(this.#frames) : [this.#frames, []];
    const start = this.#chunkStart;
    let recordedBytes = this.#removedBytes;
    this.#removedBytes = 0;
    for (const [, kind, data] of frames) if (kind === 'o') recordedBytes += Buffer.byteLength(data);
    // What is carried waits for the next output, the line's end or the channel's end.
    this.#frames = carried;
    this.#heldFrom = 0;
    this.#chunkStart = start + recordedBytes;
    this.#bytes = Math.max(0, this.#bytes - recordedBytes);
    if (frames.length === 0) return;
    this.#options.record({
      channel: this.#options.channel,
      offset: start,
      frames,
    });
  }
}
