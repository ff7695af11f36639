// Lays out the reasoning tree off the page's thread (tree-layout.ts).
import { type LayoutInput, layoutTree } from './tree-layout';

self.onmessage = (event: MessageEvent<{ id: number; input: LayoutInput }>) => {
  const { id, input } = event.data;
  self.postMessage({ id, layout: layoutTree(input) });
};
