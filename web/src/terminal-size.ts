// The terminal size a recording asks for is what the SSH client said (its pty request and each
// window change: any 32-bit number), not what any screen showed. The player's emulator allocates
// every cell of it: a session whose client asked for 65535×65535 made the player's WebAssembly fail
// ("unreachable") and took the browser tab down with it, so the recording could not be played back
// at all. The player is given at most MAX_COLS × MAX_ROWS (more than a terminal on a large screen
// holds), in the header and in every resize frame, and the page says when the recording asked for
// more (TerminalTab.tsx).

export const MAX_COLS = 500;
export const MAX_ROWS = 250;

export interface BoundedTerminal {
  /** The asciicast text with every resize frame within the bounds. */
  readonly cast: string;
  readonly width: number;
  readonly height: number;
  /** The widest the player is given, in the header or any resize (what it must show without wrapping). */
  readonly widest: number;
  /** The largest size the recording asked for, when it passed a bound; else null. */
  readonly asked: { readonly width: number; readonly height: number } | null;
}

const RESIZE = /^(\d+)x(\d+)$/;

/** The recording with its sizes (the header's `width` and `height`, and every resize) within the bounds. */
export function boundedTerminal(cast: string, width: number, height: number): BoundedTerminal {
  let askedWidth = width;
  let askedHeight = height;
  const lines = cast.split('\n').map((line) => {
    if (!line.startsWith('[') || !line.includes('"r"')) return line;
    let frame: unknown;
    try {
      frame = JSON.parse(line);
    } catch {
      return line;
    }
    if (!Array.isArray(frame) || frame[1] !== 'r' || typeof frame[2] !== 'string') return line;
    const size = RESIZE.exec(frame[2]);
    if (!size) return line;
    const [cols, rows] = [Number(size[1]), Number(size[2])];
    askedWidth = Math.max(askedWidth, cols);
    askedHeight = Math.max(askedHeight, rows);
    if (cols <= MAX_COLS && rows <= MAX_ROWS) return line;
    return JSON.stringify([frame[0], 'r', `${Math.min(cols, MAX_COLS)}x${Math.min(rows, MAX_ROWS)}`]);
  });
  const bounded = { width: Math.min(width, MAX_COLS), height: Math.min(height, MAX_ROWS) };
  if (lines[0]?.startsWith('{')) {
    try {
      lines[0] = JSON.stringify({ ...(JSON.parse(lines[0]) as object), ...bounded });
    } catch {
      // Not a header the player can read either: it says so.
    }
  }
  const passed = askedWidth > MAX_COLS || askedHeight > MAX_ROWS;
  return {
    cast: lines.join('\n'),
    ...bounded,
    widest: Math.min(askedWidth, MAX_COLS),
    asked: passed ? { width: askedWidth, height: askedHeight } : null,
  };
}
