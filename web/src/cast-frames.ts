// The asciicast readings the player is given (terminal-cells.ts, terminal-colours.ts) each rewrite
// the data of some frames and leave every other line as it is: the header, frames that are not
// JSON arrays, frames of kinds they do not read. This walks the frames once for each of them.

/**
 * `cast` with each frame's data replaced by what `rewrite` returns for it (its time, kind and
 * data), or the line as it was when `rewrite` returns null; still valid asciicast.
 */
export function rewriteCastFrames(
  cast: string,
  rewrite: (kind: unknown, data: string) => string | null,
): string {
  return cast
    .split('\n')
    .map((line) => {
      if (!line.startsWith('[')) return line;
      let frame: unknown;
      try {
        frame = JSON.parse(line);
      } catch {
        return line;
      }
      if (!Array.isArray(frame) || typeof frame[2] !== 'string') return line;
      const [t, kind, data] = frame as [unknown, unknown, string];
      const rewritten = rewrite(kind, data);
      return rewritten === null ? line : JSON.stringify([t, kind, rewritten]);
    })
    .join('\n');
}
