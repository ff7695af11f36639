// The session's reasoning tree with its outcome path and the selected node's panel. The selected
// node and the collapsed subtrees live in the URL's `node` parameter and in this page.
import { useEffect, useMemo, useState } from 'react';
import { apiGet, describeError } from '../api';
import { navigate } from '../router';
import { drawnParents } from '../tree-parents';
import type { SessionTreeOutline } from '../types';
import { InertLine } from './InertText';
import { NodePanel } from './NodePanel';
import { TreeView } from './TreeView';

export function TreeTab({ sessionId, selected }: { sessionId: string; selected: string | null }) {
  const [data, setData] = useState<SessionTreeOutline | null>(null);
  const [path, setPath] = useState<string[]>([]);
  const [error, setError] = useState<string | null>(null);
  const [collapsed, setCollapsed] = useState<ReadonlySet<string>>(new Set());

  useEffect(() => {
    let live = true;
    // The outline: the tree without its texts (a 10,000-call tree with them is tens of megabytes),
    // and the outcome path the gateway computed; a node's texts load when it is opened.
    apiGet<SessionTreeOutline>(`/api/sessions/${sessionId}/tree?outline=1`)
      .then((tree) => {
        if (!live) return;
        setData(tree);
        setPath(tree.path);
      })
      .catch((err) => live && setError(describeError(err)));
    return () => {
      live = false;
    };
  }, [sessionId]);

  const nodes = useMemo(() => new Map(data?.tree.nodes.map((n) => [n.id, n]) ?? []), [data]);
  const parents = useMemo(() => (data ? drawnParents(data.tree) : []), [data]);
  const onPath = useMemo(() => new Set(path), [path]);
  const select = (id: string) =>
    navigate(`/sessions/${sessionId}?tab=tree&node=${encodeURIComponent(id)}`, { replace: true });
  const toggle = (id: string) =>
    setCollapsed((old) => {
      const next = new Set(old);
      if (next.has(id)) next.delete(id);
      else next.add(id);
      return next;
    });

  if (error)
    return (
      <p className="error" role="alert">
        {error}
      </p>
    );
  if (!data) return <p className="muted">Loading the tree…</p>;
  if (data.tree.nodes.length === 0) return <p className="muted">This session has no model calls to draw.</p>;
  const node = selected ? nodes.get(selected) : undefined;

  return (
    <div>
      <p className="muted" data-testid="tree-summary">
        {data.tree.nodes.length} model call(s), {data.evaluationCount} evaluation(s),{' '}
        {data.tree.nodes.filter((n) => n.status === 'pruned').length} pruned.
      </p>
      {path.length > 0 && (
        <nav className="row" aria-label="Outcome path" data-testid="outcome-path">
          <span>Outcome path:</span>
          {path.map((id, i) => (
            <button
              type="button"
              key={id}
              onClick={() => select(id)}
              aria-current={id === selected ? 'step' : undefined}
              data-testid="path-step"
            >
              {i + 1}. <InertLine text={(nodes.get(id)?.thoughts[0]?.text ?? id).slice(0, 24)} />
            </button>
          ))}
        </nav>
      )}
      <div className="tree-wrap">
        <TreeView
          nodes={nodes}
          parents={parents}
          onPath={onPath}
          selected={selected}
          collapsed={collapsed}
          onSelect={select}
          onToggle={toggle}
        />
        <div className="node-panel">
          {node ? (
            <NodePanel
              sessionId={sessionId}
              nodeId={node.id}
              collapsed={collapsed.has(node.id)}
              onToggle={() => toggle(node.id)}
            />
          ) : (
            <p className="muted">Select a node to read its prompt and response.</p>
          )}
        </div>
      </div>
    </div>
  );
}
