// Plain-text output helpers for listing commands.
import { inertLine } from '../core/inert-text.js';

/**
 * Columns padded to their widest cell. Every cell is untrusted text made inert on one line, so a
 * name or reason can neither move the cursor nor break the table into extra rows.
 */
export function table(rows: readonly (readonly string[])[]): string {
  if (rows.length === 0) return '';
  const shown = rows.map((r) => r.map((cell) => inertLine(cell)));
  const widths = shown[0]!.map((_, col) => Math.max(...shown.map((r) => (r[col] ?? '').length)));
  return shown
    .map((r) =>
      r
        .map((cell, col) => cell.padEnd(widths[col]!))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

/** Prefixes every line: content shown under a heading never starts a line of its own. */
export function indent(text: string, prefix = '    '): string {
  return text
    .split('\n')
    .map((line) => prefix + line)
    .join('\n');
}
