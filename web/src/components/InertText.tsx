// Recorded text on the page: always a React text node (never HTML), with every control, bidi,
// zero-width or other invisible character shown as a visible `\u{…}` escape (inert.ts).
import { inertBlock, inertLine } from '../inert';

export function InertLine({ text }: { text: string }) {
  return <>{inertLine(text)}</>;
}

export function InertBlock({ text, testId }: { text: string; testId?: string }) {
  return (
    <pre className="text" data-testid={testId}>
      {inertBlock(text)}
    </pre>
  );
}
