// Recorded text on the page: always a React text node (never HTML), with every control, bidi,
// zero-width or other invisible character shown as a visible `\u{…}` escape (inert.ts), and every
// long run of blank characters (blank-runs.ts) or of combining marks (mark-runs.ts) shown as a marker
// that counts it: hundreds of line feeds inside a statement would push its end out of a reviewer's
// sight, and thousands of marks stacked on one letter would be drawn over the lines around it. The
// text is drawn in the order recorded, as a terminal shows it: only a run of right-to-left letters
// (rtl-runs.ts) is drawn right to left, in an isolate, so no digit or operator around it is reordered.
import { splitBlankRuns } from '../blank-runs';
import { inertBlock, inertLine } from '../inert';
import { splitMarkRuns } from '../mark-runs';
import { splitRtlRuns } from '../rtl-runs';

function Ordered({ text }: { text: string }) {
  return (
    <>
      {splitRtlRuns(text).map((part, i) =>
        typeof part === 'string' ? (
          part
        ) : (
          // biome-ignore lint/suspicious/noArrayIndexKey: the parts of one text, in order, never reordered
          <bdi key={i} data-testid="rtl-run">
            {part.rtl}
          </bdi>
        ),
      )}
    </>
  );
}

function Marks({ text }: { text: string }) {
  return (
    <>
      {splitMarkRuns(text).map((part, i) =>
        typeof part === 'string' ? (
          // biome-ignore lint/suspicious/noArrayIndexKey: the parts of one text, in order, never reordered
          <Ordered key={i} text={part} />
        ) : (
          // biome-ignore lint/suspicious/noArrayIndexKey: the parts of one text, in order, never reordered
          <span key={i} className="blank-run" data-testid="mark-run" data-marks={part.marks}>
            {part.label}
          </span>
        ),
      )}
    </>
  );
}

function Visible({ text }: { text: string }) {
  return (
    <span className="recorded">
      {splitBlankRuns(text).map((part, i) =>
        typeof part === 'string' ? (
          // biome-ignore lint/suspicious/noArrayIndexKey: the parts of one text, in order, never reordered
          <Marks key={i} text={part} />
        ) : (
          // biome-ignore lint/suspicious/noArrayIndexKey: the parts of one text, in order, never reordered
          <span key={i} className="blank-run" data-testid="blank-run" data-lines={part.lines}>
            {part.label}
          </span>
        ),
      )}
    </span>
  );
}

export function InertLine({ text }: { text: string }) {
  return <Visible text={inertLine(text)} />;
}

export function InertBlock({ text, testId }: { text: string; testId?: string }) {
  return (
    <pre className="text" data-testid={testId}>
      <Visible text={inertBlock(text)} />
    </pre>
  );
}
