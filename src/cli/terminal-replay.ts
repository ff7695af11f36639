// Terminal sessions (recorded as asciicast frames in `ssh.output` events, with each command line
// typed at a prompt as an `ssh.command`): played back in the user's own terminal at recorded speed
// or faster, from the start or from a command; and written as an asciicast v2 file for asciinema.
//
// Playback writes what the host wrote, escape sequences included (that is what makes it a replay),
// minus the sequences that act outside the screen: OSC (titles, clipboard writes, hyperlinks), DCS,
// APC, PM and SOS strings. `vigil replay --transcript` shows everything inert instead.
import type { StoredEvent } from '../core/events.js';

export type CastFrame = [number, string, string];

export interface TerminalRecording {
  readonly width: number;
  readonly height: number;
  readonly term: string | null;
  readonly startedAt: string;
  /** Output ('o') and resize ('r') frames of every channel, in time order. */
  readonly frames: readonly CastFrame[];
  /** Command lines typed at a prompt: when (seconds) and what. */
  readonly commands: readonly { readonly t: number; readonly command: string }[];
}

const isFrame = (v: unknown): v is CastFrame =>
  Array.isArray(v) &&
  v.length === 3 &&
  typeof v[0] === 'number' &&
  typeof v[1] === 'string' &&
  typeof v[2] === 'string';

/** The terminal recording in a session's events, or null when it has none. */
export function terminalRecording(events: readonly StoredEvent[]): TerminalRecording | null {
  const frames: CastFrame[] = [];
  for (const e of events) {
    if (e.type !== 'ssh.output' || !e.payload || !Array.isArray(e.payload.frames)) continue;
    for (const frame of e.payload.frames) if (isFrame(frame)) frames.push(frame);
  }
  if (frames.length === 0) return null;
  frames.sort((a, b) => a[0] - b[0]);
  const start = events.find((e) => e.type === 'ssh.exec' && e.payload?.pty);
  const pty = (start?.payload?.pty ?? {}) as { cols?: unknown; rows?: unknown; term?: unknown };
  return {
    width: typeof pty.cols === 'number' ? pty.cols : 80,
    height: typeof pty.rows === 'number' ? pty.rows : 24,
    term: typeof pty.term === 'string' ? pty.term : null,
    startedAt: events[0]?.time ?? new Date(0).toISOString(),
    frames,
    commands: events
      .filter((e) => e.type === 'ssh.command' && e.payload && typeof e.payload.command === 'string')
      .map((e) => ({ t: Number(e.payload!.t) || 0, command: String(e.payload!.command) })),
  };
}

export interface PlayOptions {
  /** 2 plays twice as fast. */
  readonly speed: number;
  /** Pauses longer than this many seconds are cut to it (null: real pauses). */
  readonly skipIdle: number | null;
  /** Start at the Nth command line (1-based), or null for the beginning. */
  readonly atCommand: number | null;
  readonly write: (text: string) => void;
  readonly sleep: (ms: number) => Promise<void>;
}

const OUTSIDE_SCREEN = /\x1b[\]P_^X][\s\S]*?(?:\x07|\x1b\\|$)/g;

export async function playRecording(recording: TerminalRecording, options: PlayOptions): Promise<void> {
  let from = 0;
  if (options.atCommand !== null) {
    const command = recording.commands[options.atCommand - 1];
    if (!command) throw new RangeError(`the session has ${recording.commands.length} command lines`);
    from = command.t;
    options.write(
      `\x1b[2J\x1b[H-- command ${options.atCommand}: ${command.command.replace(/[\x00-\x1f\x7f]/g, ' ')} --\r\n`,
    );
  }
  let clock = from;
  for (const [t, kind, data] of recording.frames) {
    if (t < from || kind !== 'o') continue;
    let wait = t - clock;
    if (options.skipIdle !== null) wait = Math.min(wait, options.skipIdle);
    if (wait > 0) await options.sleep((wait * 1000) / options.speed);
    clock = t;
    options.write(data.replace(OUTSIDE_SCREEN, ''));
  }
}

/** An asciicast v2 file: a header line, then one JSON array per event (output, resize, marker, input). */
export function asciicast(
  recording: TerminalRecording,
  events: readonly StoredEvent[],
  title: string,
): string {
  const header = {
    version: 2,
    width: recording.width,
    height: recording.height,
    timestamp: Math.floor(Date.parse(recording.startedAt) / 1000),
    title,
    ...(recording.term ? { env: { TERM: recording.term } } : {}),
  };
  const extra: CastFrame[] = recording.commands.map((c) => [c.t, 'm', c.command]);
  for (const e of events) {
    // Keystrokes recorded as typed; a line typed with echo off was never stored and is left out.
    if (e.type === 'ssh.input' && e.payload && typeof e.payload.data === 'string') {
      extra.push([Number(e.payload.t) || 0, 'i', e.payload.data]);
    }
  }
  const all = [...recording.frames, ...extra].sort((a, b) => a[0] - b[0]);
  return [JSON.stringify(header), ...all.map((frame) => JSON.stringify(frame))].join('\n');
}
