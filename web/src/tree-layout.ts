// The reasoning tree's layout: one parent per node (its best edge, as the gateway's outcome path
// picks it), collapsed subtrees left out, and d3-hierarchy's tidy tree for the positions. Pure, so
// it runs in a Web Worker (tree-layout.worker.ts) and a 10,000-call tree never blocks the page.
import { hierarchy, tree } from 'd3-hierarchy';

export interface LayoutInput {
  readonly nodes: readonly { readonly id: string; readonly parent: string | null }[];
  readonly collapsed: readonly string[];
}

export interface LayoutOutput {
  /** Parallel arrays: node ids and their centres. */
  readonly ids: string[];
  readonly xs: number[];
  readonly ys: number[];
  /** Index pairs into ids: parent, child. */
  readonly links: number[];
  /** Ids of shown nodes whose children are hidden. */
  readonly collapsedShown: string[];
  readonly width: number;
  readonly height: number;
}

export const NODE_GAP_X = 28;
export const LEVEL_GAP_Y = 70;
export const MARGIN = 40;

interface Item {
  id: string;
  children: Item[];
}

export function layoutTree(input: LayoutInput): LayoutOutput {
  const items = new Map<string, Item>();
  for (const n of input.nodes) items.set(n.id, { id: n.id, children: [] });
  const root: Item = { id: '', children: [] };
  for (const n of input.nodes) {
    const parent = n.parent !== null ? items.get(n.parent) : undefined;
    (parent ?? root).children.push(items.get(n.id)!);
  }
  const collapsed = new Set(input.collapsed);
  const collapsedShown: string[] = [];
  const h = hierarchy(root, (d) => {
    if (collapsed.has(d.id) && d.children.length > 0) {
      collapsedShown.push(d.id);
      return null;
    }
    return d.children;
  });
  tree<Item>().nodeSize([NODE_GAP_X, LEVEL_GAP_Y])(h);
  let minX = 0;
  let maxX = 0;
  let maxY = 0;
  h.each((d) => {
    minX = Math.min(minX, d.x ?? 0);
    maxX = Math.max(maxX, d.x ?? 0);
    maxY = Math.max(maxY, d.y ?? 0);
  });
  const ids: string[] = [];
  const xs: number[] = [];
  const ys: number[] = [];
  const index = new Map<string, number>();
  // The synthetic root (depth 0) is not drawn: real roots start at the top.
  h.each((d) => {
    if (d.depth === 0) return;
    index.set(d.data.id, ids.length);
    ids.push(d.data.id);
    xs.push((d.x ?? 0) - minX + MARGIN);
    ys.push((d.y ?? 0) - LEVEL_GAP_Y + MARGIN);
  });
  const links: number[] = [];
  h.each((d) => {
    if (d.depth <= 1 || !d.parent) return;
    links.push(index.get(d.parent.data.id)!, index.get(d.data.id)!);
  });
  return {
    ids,
    xs,
    ys,
    links,
    collapsedShown,
    width: maxX - minX + 2 * MARGIN + 200,
    height: Math.max(0, maxY - LEVEL_GAP_Y) + 2 * MARGIN,
  };
}
