// Terminal output as asciicast v2 frames: each piece of output keeps its time (seconds since the
// channel started), and frames are recorded as ssh.output events in chunks (by size or age), so a
// busy terminal costs a few events a second, not one per write. UTF-8 split across writes is kept
// whole. `offset` counts output bytes so a command line can point at its place in the stream.
import { StringDecoder } from 'node:string_decoder';
import type { JsonObject } from '../../core/events.js';

/** An asciicast v2 event: time, kind ('o' output, 'r' resize), data. */
export type Frame = [number, string, string];

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
    if (this.#bytes >= this.#options.chunkBytes) this.flush();
    else this.#flushLater();
  }

  /**
   * While a line is typed at a prompt (LineGuard), its echo is kept in one chunk, up to the size
   * bound: the masker reads a chunk's output as one text, so a password typed as part of a command
   * line (`mysql -p…`) is found in its echo, which arrives one key at a time.
   */
  hold(): void {
    this.#held = true;
    if (this.#timer !== null) {
      clearTimeout(this.#timer);
      this.#timer = null;
    }
  }

  /** The line ended: the held chunk is recorded. */
  release(): void {
    if (!this.#held) return;
    this.#held = false;
    this.flush();
  }

  #flushLater(): void {
    if (this.#timer !== null || this.#held) return;
    this.#timer = setTimeout(() => this.flush(), this.#options.chunkMs);
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

  flush(): void {
    if (this.#timer !== null) {
      clearTimeout(this.#timer);
      this.#timer = null;
    }
    if (this.#frames.length === 0) return;
    const frames = this.#frames;
    this.#frames = [];
    this.#bytes = 0;
    this.#options.record({
      channel: this.#options.channel,
      offset: this.#chunkStart,
      frames,
    });
  }
}
