// A terminal session as recorded (asciicast frames in `ssh.output` events, each command line typed
// at a prompt an `ssh.command`), read back from a session's events, and written as an asciicast v2
// file. Pure, so that every reader shares it: `vigil replay` and `vigil export --format asciicast`
// (src/cli/) and the console's player (GET /api/sessions/:id/terminal, src/api/).
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
      .map((e) => ({ t: Number(e.payload!.t) || 0, command: String(e.payload!.command), seq: e.seq })),
  };
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
