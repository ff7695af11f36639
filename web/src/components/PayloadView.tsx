// An event's payload, whatever its shape: keys and values as text, strings as inert blocks (a prompt
// keeps its line breaks), nested objects indented. Nothing recorded is ever a link or markup here.
// A string the caller says is an identity's name (`isName`, by its path) is drawn as one, marked when
// it may pass for another (IdentityName.tsx).

import type { JsonValue } from '../types';
import { IdentityName } from './IdentityName';
import { InertBlock, InertLine } from './InertText';

const MAX_DEPTH = 8;

export type NamePaths = (path: readonly string[]) => boolean;

export function PayloadView({
  value,
  depth = 0,
  path = [],
  isName,
}: {
  value: JsonValue;
  depth?: number;
  path?: readonly string[];
  isName?: NamePaths;
}) {
  if (value === null) return <span className="muted">null</span>;
  if (typeof value === 'string') {
    if (isName?.(path)) return <IdentityName name={value} />;
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
            <PayloadView value={v} depth={depth + 1} path={[...path, k]} isName={isName} />
          </span>
        </div>
      ))}
    </div>
  );
}
