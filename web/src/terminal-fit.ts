// How wide a recording is drawn. The player scales its terminal to the width of its column (`fit:
// 'width'`), from its own 15px: a 300-column recording in a 900px column was drawn at about 4px a
// glyph, a 500-column one at under 3px, legible to no one. Below a readable size the player is given
// a fixed size instead and its column scrolls sideways: the columns stay where the host put them
// (a table, a `ps` listing, a progress bar), which wrapping the lines would break and shrinking them
// further would not make legible. A recording that fits at a readable size keeps fitting the column.

/** The smallest size fitting the column may draw (a terminal's text is seldom set smaller). */
export const MIN_FIT_FONT_PX = 11;
/** The size a recording too wide for its column is drawn at, scrolled sideways. */
export const SCROLLED_FONT_PX = 12;
/** The player's borders: 0.75em on each side (asciinema-player.css, `div.ap-term`). */
const BORDERS_EM = 1.5;

export type TerminalFit = { readonly fit: 'width' } | { readonly fit: false; readonly fontPx: number };

/**
 * Fit the column when `cols` columns (of `advanceEm` each) fit `containerPx` at MIN_FIT_FONT_PX or
 * more; else a fixed SCROLLED_FONT_PX. A column not laid out yet (0px wide) fits, as before.
 */
export function terminalFit(containerPx: number, cols: number, advanceEm: number): TerminalFit {
  if (!(containerPx > 0) || !(cols > 0) || !(advanceEm > 0)) return { fit: 'width' };
  const fontPx = containerPx / (cols * advanceEm + BORDERS_EM);
  return fontPx >= MIN_FIT_FONT_PX ? { fit: 'width' } : { fit: false, fontPx: SCROLLED_FONT_PX };
}

/** A monospace font's advance, in em, as the browser draws it (0.6 when it cannot be measured). */
export function monospaceAdvanceEm(fontFamily: string): number {
  const context = document.createElement('canvas').getContext('2d');
  if (!context) return 0.6;
  context.font = `100px ${fontFamily}`;
  const advance = context.measureText('M'.repeat(50)).width / 50 / 100;
  return advance > 0 ? advance : 0.6;
}
