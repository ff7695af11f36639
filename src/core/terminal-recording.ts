// A terminal session as recorded (asciicast frames in `ssh.output` events, each command line typed
// at a prompt an `ssh.command`), read back from a session's events, and written as an asciicast v2
// file. Pure, so that every reader shares it: `vigil replay` and `vigil export --format asciicast`
// (src/cli/) read the whole session at once; the console's player (GET /api/sessions/:id/terminal,
// src/api/) reads it a page at a time through TerminalRecordingReader and writes the file line by
// line (asciicastLines), giving the gateway's thread back in between.
import type { StoredEvent } from './events.js';

export type CastFrame = [number, string, string];

export interface TerminalRecording {
  readonly width: number;
  readonly height: number;
  readonly term: string | null;
  readonly startedAt: string;
  /** Output ('o') and resize ('r') frames of every channel, in time order. */
  readonly frames: readonly CastFrame[];
  /** Command lines typed at a prompt: when (seconds), what, and the `ssh.command` event's sequence number. */
  readonly commands: readonly { readonly t: number; readonly command: string; readonly seq: number }[];
}

/** What a player needs (GET /api/sessions/:id/terminal answers `{ terminal }`, null without one). */
export interface TerminalPlayback {
  readonly width: number;
  readonly height: number;
  /** The asciicast v2 file: a JSON header line, then one JSON array per frame. */
  readonly cast: string;
  readonly commands: TerminalRecording['commands'];
}

const isFrame = (v: unknown): v is CastFrame =>
  Array.isArray(v) &&
  v.length === 3 &&
  typeof v[0] === 'number' &&
  typeof v[1] === 'string' &&
  typeof v[2] === 'string';

/**
 * What a frame counts for in a reader's `size` besides its text: its time, kind, brackets and
 * quotes in the file (about 20 characters), and the arrays a reader holds for it until the file is
 * written. A recording of many one-key frames costs far more than its text says.
 */
const FRAME_OVERHEAD = 64;

/** The terminal an `ssh.exec` asked for, as recorded (checked where read). */
type Pty = { readonly cols?: unknown; readonly rows?: unknown; readonly term?: unknown };

const sizeOr = (v: unknown, fallback: number) =>
  typeof v === 'number' && Number.isInteger(v) && v > 0 ? v : fallback;

/** Keystrokes recorded as typed; a line typed with echo off was never stored and is left out. */
function keystroke(e: StoredEvent): CastFrame | null {
  return e.type === 'ssh.input' && e.payload && typeof e.payload.data === 'string'
    ? [Number(e.payload.t) || 0, 'i', e.payload.data]
    : null;
}

/**
 * Reads a session's terminal recording from its events, given in `seq` order in one call or a page
 * per call, keeping only what the recording holds: a reader of a long session never holds its other
 * events. `size` says, as it goes, what the recording has cost so far (its text, and FRAME_OVERHEAD a frame).
 */
export class TerminalRecordingReader {
  readonly #frames: CastFrame[] = [];
  readonly #keystrokes: CastFrame[] = [];
  readonly #commands: { t: number; command: string; seq: number }[] = [];
  #pty: Pty | null = null;
  #startedAt: string | null = null;
  #size = 0;

  /** The characters of text kept so far, plus FRAME_OVERHEAD a frame: a bound on the file and memory. */
  get size(): number {
    return this.#size;
  }

  /** The keystrokes, as input ('i') frames in `seq` order. */
  get keystrokes(): readonly CastFrame[] {
    return this.#keystrokes;
  }

  add(events: readonly StoredEvent[]): void {
    for (const e of events) {
      this.#startedAt ??= e.time;
      if (e.type === 'ssh.output' && e.payload && Array.isArray(e.payload.frames)) {
        for (const frame of e.payload.frames) {
          if (!isFrame(frame)) continue;
          this.#frames.push(frame);
          this.#size += frame[2].length + FRAME_OVERHEAD;
        }
      } else if (e.type === 'ssh.exec' && this.#pty === null && e.payload?.pty) {
        // The terminal's size and type are the first terminal channel's.
        this.#pty = e.payload.pty as Pty;
      } else if (e.type === 'ssh.command' && e.payload && typeof e.payload.command === 'string') {
        this.#commands.push({ t: Number(e.payload.t) || 0, command: e.payload.command, seq: e.seq });
        // Listed beside the player, and a marker in the file.
        this.#size += 2 * (e.payload.command.length + FRAME_OVERHEAD);
      } else {
        const typed = keystroke(e);
        if (typed) {
          this.#keystrokes.push(typed);
          this.#size += typed[2].length + FRAME_OVERHEAD;
        }
      }
    }
  }

  /** The terminal recording of the events read, or null when they hold no output. */
  recording(): TerminalRecording | null {
    if (this.#frames.length === 0) return null;
    // Stable: frames of the same time keep the order they were recorded in.
    const frames = [...this.#frames].sort((a, b) => a[0] - b[0]);
    const pty = this.#pty ?? {};
    return {
      // A client without a terminal of its own (`ssh -tt` from a script) asks for 0x0: players
      // cannot draw that, so it is played in the size a terminal has when none is set.
      width: sizeOr(pty.cols, 80),
      height: sizeOr(pty.rows, 24),
      term: typeof pty.term === 'string' ? pty.term : null,
      startedAt: this.#startedAt ?? new Date(0).toISOString(),
      frames,
      commands: [...this.#commands],
    };
  }
}

/** The terminal recording in a session's events, or null when it has none. */
export function terminalRecording(events: readonly StoredEvent[]): TerminalRecording | null {
  const reader = new TerminalRecordingReader();
  reader.add(events);
  return reader.recording();
}

/**
 * The lines of an asciicast v2 file: a header, then one JSON array per frame (output, resize,
 * marker, input) in time order. Joined with line breaks, they are the file.
 */
export function* asciicastLines(
  recording: TerminalRecording,
  keystrokes: readonly CastFrame[],
  title: string,
): Generator<string> {
  const header = {
    version: 2,
    width: recording.width,
    height: recording.height,
    timestamp: Math.floor(Date.parse(recording.startedAt) / 1000),
    title,
    ...(recording.term ? { env: { TERM: recording.term } } : {}),
  };
  yield JSON.stringify(header);
  const markers: CastFrame[] = recording.commands.map((c) => [c.t, 'm', c.command]);
  const all = [...recording.frames, ...markers, ...keystrokes].sort((a, b) => a[0] - b[0]);
  for (const frame of all) yield JSON.stringify(frame);
}

/** An asciicast v2 file: a header line, then one JSON array per event (output, resize, marker, input). */
export function asciicast(
  recording: TerminalRecording,
  events: readonly StoredEvent[],
  title: string,
): string {
  const keystrokes = events.map(keystroke).filter((f): f is CastFrame => f !== null);
  return [...asciicastLines(recording, keystrokes, title)].join('\n');
}
