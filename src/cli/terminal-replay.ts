// `vigil replay` of a terminal session: played back in the user's own terminal at recorded speed or
// faster, from the start or from a command (the recording itself is read by core/terminal-recording.ts).
//
// Playback writes what the host wrote, escape sequences included (that is what makes it a replay),
// minus the sequences that act outside the screen: OSC (titles, clipboard writes, hyperlinks), DCS,
// APC, PM and SOS strings, however the frames split them (screen-only-output.ts). `vigil replay
// --transcript` shows everything inert instead.

import { inertLine } from '../core/inert-text.js';
import type { TerminalRecording } from '../core/terminal-recording.js';
import { ScreenOnlyOutput } from './screen-only-output.js';

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

export async function playRecording(recording: TerminalRecording, options: PlayOptions): Promise<void> {
  let from = 0;
  if (options.atCommand !== null) {
    const command = recording.commands[options.atCommand - 1];
    if (!command) throw new RangeError(`the session has ${recording.commands.length} command lines`);
    from = command.t;
    options.write(`\x1b[2J\x1b[H-- command ${options.atCommand}: ${inertLine(command.command)} --\r\n`);
  }
  let clock = from;
  const screen = new ScreenOnlyOutput();
  for (const [t, kind, data] of recording.frames) {
    if (t < from || kind !== 'o') continue;
    let wait = t - clock;
    if (options.skipIdle !== null) wait = Math.min(wait, options.skipIdle);
    if (wait > 0) await options.sleep((wait * 1000) / options.speed);
    clock = t;
    options.write(screen.push(data));
  }
}
