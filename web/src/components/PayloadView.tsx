// An event's payload, whatever its shape: keys and values as text, strings as inert blocks (a prompt
// keeps its line breaks), nested objects indented. Nothing recorded is ever a link or markup here.

import type { JsonValue } from '../types';
import { InertBlock, InertLine } from './InertText';

const MAX_DEPTH = 8;

export function PayloadView({ value, depth = 0 }: { value: JsonValue; depth?: number }) {
  if (value === null) return <span className="muted">null</span>;
  if (typeof value === 'string') {
    return value.includes('\n') || value.length > 120 ? (
      <InertBlock text={value} />
    ) : (
      <InertLine text={value} />
    );
  }
  if (typeof value !== 'object') return <span>{String(value)}</span>;
  if (depth >= MAX_DEPTH) return <InertBlock text={JSON.stringify(value)} />;
  const entries: [string, JsonValue][] = Array.isArray(value)
    ? value.map((v, i) => [String(i), v])
    : Object.entries(value);
  if (entries.length === 0) return <span className="muted">{Array.isArray(value) ? '[]' : '{}'}</span>;
  return (
    <div className="kv">
      {entries.map(([k, v]) => (
        <div key={k} style={{ display: 'contents' }}>
          <span className="k">
            <InertLine text={k} />
          </span>
          <span>
            <PayloadView value={v} depth={depth + 1} />
          </span>
        </div>
      ))}
    </div>
  );
}
