// The reasoning tree drawn: kept and pruned branches, the outcome path highlighted, collapsed
// subtrees marked. The layout comes from a Web Worker; only the nodes and links inside the scrolled
// viewport are drawn, so a 10,000-call tree stays responsive. Keyboard: arrows walk the tree (up to
// the parent, down to the first child, left and right to siblings), c collapses or expands.
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { inertLine } from '../inert';
import { splitMarkRuns } from '../mark-runs';
import { splitRtlRuns } from '../rtl-runs';
import type { LayoutInput, LayoutOutput } from '../tree-layout';
import type { ReasoningNode } from '../types';

export interface TreeViewProps {
  readonly nodes: ReadonlyMap<string, ReasoningNode>;
  readonly parents: readonly { id: string; parent: string | null }[];
  readonly onPath: ReadonlySet<string>;
  readonly selected: string | null;
  readonly collapsed: ReadonlySet<string>;
  readonly onSelect: (id: string) => void;
  readonly onToggle: (id: string) => void;
}

const MARGIN = 120;
let nextRequest = 1;

function useLayout(input: LayoutInput): LayoutOutput | null {
  const [layout, setLayout] = useState<LayoutOutput | null>(null);
  const worker = useRef<Worker | null>(null);
  useEffect(() => {
    const w = new Worker(new URL('../tree-layout.worker.ts', import.meta.url), { type: 'module' });
    worker.current = w;
    return () => w.terminate();
  }, []);
  useEffect(() => {
    const w = worker.current;
    if (!w) return;
    const id = nextRequest++;
    const onMessage = (event: MessageEvent<{ id: number; layout: LayoutOutput }>) => {
      if (event.data.id === id) setLayout(event.data.layout);
    };
    w.addEventListener('message', onMessage);
    w.postMessage({ id, input });
    return () => w.removeEventListener('message', onMessage);
  }, [input]);
  return layout;
}

/**
 * A node's label: its first thought (or its response), inert, cut to 28 characters. A long run of
 * combining marks keeps four on its letter and is counted, as in the node's panel (mark-runs.ts):
 * the cut counts a mark as a character, so `A` and 60 U+0333 was labelled `A` with 26 marks stacked
 * on it, drawn over the nodes below.
 */
function label(node: ReasoningNode | undefined): string {
  if (!node) return '';
  const first = node.thoughts[0]?.text ?? node.response;
  const text = splitMarkRuns(inertLine(first))
    .map((part) => (typeof part === 'string' ? part : `⟪${part.marks} marks⟫`))
    .join('');
  return text.length > 28 ? `${text.slice(0, 27)}…` : text;
}

/**
 * A label drawn in the order recorded, as the node's panel draws it (InertText.tsx): only runs of
 * right-to-left letters are isolated and drawn right to left, so no digit or operator between two
 * of them is reordered (`= א 100 - 5000 ב` was drawn `= ב 5000 - 100 א`). SVG has no <bdi>: a
 * <tspan> isolates the run instead (styles.css: `.tree-label`).
 */
function Label({ text }: { text: string }) {
  return (
    <text x={10} y={4} className="tree-label">
      {splitRtlRuns(text).map((part, i) =>
        typeof part === 'string' ? (
          part
        ) : (
          // biome-ignore lint/suspicious/noArrayIndexKey: the parts of one label, in order, never reordered
          <tspan key={i} className="rtl-run" data-testid="rtl-run">
            {part.rtl}
          </tspan>
        ),
      )}
    </text>
  );
}

export function TreeView(props: TreeViewProps) {
  const { nodes, parents, onPath, selected, collapsed, onSelect, onToggle } = props;
  const input = useMemo<LayoutInput>(
    () => ({ nodes: parents, collapsed: [...collapsed] }),
    [parents, collapsed],
  );
  const layout = useLayout(input);
  const box = useRef<HTMLDivElement>(null);
  const [view, setView] = useState({ left: 0, top: 0, width: 1200, height: 800 });

  const index = useMemo(() => {
    const m = new Map<string, number>();
    for (const [i, id] of (layout?.ids ?? []).entries()) m.set(id, i);
    return m;
  }, [layout]);
  const children = useMemo(() => {
    const m = new Map<string | null, string[]>();
    for (const p of parents) {
      const list = m.get(p.parent) ?? [];
      list.push(p.id);
      m.set(p.parent, list);
    }
    return m;
  }, [parents]);
  const parentOf = useMemo(() => new Map(parents.map((p) => [p.id, p.parent])), [parents]);

  const measure = useCallback(() => {
    const el = box.current;
    if (el)
      setView({ left: el.scrollLeft, top: el.scrollTop, width: el.clientWidth, height: el.clientHeight });
  }, []);
  // Measured again once the layout has drawn the scroll area.
  useEffect(() => {
    if (layout) measure();
  }, [layout, measure]);

  // Bring the selected node into view (a shared URL, a path step, a key press).
  useEffect(() => {
    const el = box.current;
    const i = selected ? index.get(selected) : undefined;
    if (!el || i === undefined || !layout) return;
    const x = layout.xs[i]!;
    const y = layout.ys[i]!;
    if (x < el.scrollLeft || x > el.scrollLeft + el.clientWidth - 40) el.scrollLeft = x - el.clientWidth / 2;
    if (y < el.scrollTop || y > el.scrollTop + el.clientHeight - 40) el.scrollTop = y - el.clientHeight / 2;
    measure();
  }, [selected, index, layout, measure]);

  const onKeyDown = (event: React.KeyboardEvent) => {
    if (!selected) {
      const first = children.get(null)?.[0];
      if (first && event.key.startsWith('Arrow')) onSelect(first);
      return;
    }
    const parent = parentOf.get(selected) ?? null;
    const siblings = children.get(parent) ?? [];
    const at = siblings.indexOf(selected);
    let next: string | undefined;
    if (event.key === 'ArrowUp') next = parent ?? undefined;
    else if (event.key === 'ArrowDown' && !collapsed.has(selected)) next = children.get(selected)?.[0];
    else if (event.key === 'ArrowLeft') next = siblings[at - 1];
    else if (event.key === 'ArrowRight') next = siblings[at + 1];
    else if (event.key === 'c') {
      event.preventDefault();
      onToggle(selected);
      return;
    } else return;
    event.preventDefault();
    if (next) onSelect(next);
  };

  if (!layout)
    return (
      <div className="tree-view" data-testid="tree-loading">
        Laying out {parents.length} node(s)…
      </div>
    );

  const inView = (i: number) =>
    layout.xs[i]! >= view.left - MARGIN &&
    layout.xs[i]! <= view.left + view.width + MARGIN &&
    layout.ys[i]! >= view.top - MARGIN &&
    layout.ys[i]! <= view.top + view.height + MARGIN;
  const shownCollapsed = new Set(layout.collapsedShown);

  const links: React.ReactNode[] = [];
  for (let k = 0; k < layout.links.length; k += 2) {
    const a = layout.links[k]!;
    const b = layout.links[k + 1]!;
    if (!inView(a) && !inView(b)) continue;
    const path = onPath.has(layout.ids[a]!) && onPath.has(layout.ids[b]!);
    links.push(
      <line
        key={`${a}-${b}`}
        className={`link${path ? ' on-path' : ''}`}
        x1={layout.xs[a]}
        y1={layout.ys[a]}
        x2={layout.xs[b]}
        y2={layout.ys[b]}
      />,
    );
  }
  const drawn: React.ReactNode[] = [];
  // Labelled nodes (the path's, the selected one) last, so their labels lie over their siblings.
  const order: number[] = [];
  const labelled: number[] = [];
  for (let i = 0; i < layout.ids.length; i++) {
    if (!inView(i)) continue;
    const id = layout.ids[i]!;
    (onPath.has(id) || id === selected ? labelled : order).push(i);
  }
  for (const i of [...order, ...labelled]) {
    const id = layout.ids[i]!;
    const node = nodes.get(id);
    const classes = [
      'node',
      node?.status ?? 'kept',
      onPath.has(id) ? 'on-path' : '',
      id === selected ? 'selected' : '',
      shownCollapsed.has(id) ? 'collapsed' : '',
    ].join(' ');
    drawn.push(
      // biome-ignore lint/a11y/useSemanticElements: an SVG node cannot be a <button>
      <g
        key={id}
        className={classes}
        transform={`translate(${layout.xs[i]},${layout.ys[i]})`}
        onClick={() => onSelect(id)}
        onDoubleClick={() => onToggle(id)}
        role="button"
        aria-label={`node ${id}${onPath.has(id) ? ' (outcome path)' : ''}`}
        data-node={id}
        data-testid="tree-node"
      >
        <title>{label(node)}</title>
        <circle r={7} />
        {/* Siblings sit 28 px apart: only the path's and the selected node's labels fit beside them. */}
        {(onPath.has(id) || id === selected) && <Label text={label(node)} />}
      </g>,
    );
  }
  return (
    <div
      ref={box}
      className="tree-view"
      role="tree"
      tabIndex={0}
      onScroll={measure}
      onKeyDown={onKeyDown}
      data-testid="tree-view"
      data-nodes={layout.ids.length}
      data-drawn={drawn.length}
      aria-label="Reasoning tree (arrows to move, c to collapse)"
    >
      <svg width={layout.width} height={layout.height} role="img" aria-label="reasoning tree">
        {links}
        {drawn}
      </svg>
    </div>
  );
}
