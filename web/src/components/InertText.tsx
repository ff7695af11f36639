// Recorded text on the page: always a React text node (never HTML), with every control, bidi,
// zero-width or other invisible character shown as a visible `\u{…}` escape (inert.ts), and every
// long run of blank characters shown as a marker that counts it (blank-runs.ts): hundreds of line
// feeds or no-break spaces inside a statement would otherwise push its end out of a reviewer's sight.
import { splitBlankRuns } from '../blank-runs';
import { inertBlock, inertLine } from '../inert';

function Visible({ text }: { text: string }) {
  return (
    <>
      {splitBlankRuns(text).map((part, i) =>
        typeof part === 'string' ? (
          part
        ) : (
          // biome-ignore lint/suspicious/noArrayIndexKey: the parts of one text, in order, never reordered
          <span key={i} className="blank-run" data-testid="blank-run" data-lines={part.lines}>
            {part.label}
          </span>
        ),
      )}
    </>
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
