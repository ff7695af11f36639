// Each node's one parent for drawing: among the edges into it, the most confident; of equals, a
// certain one (the same order src/reasoning/outcome-path.ts follows).
import type { ReasoningTree } from './types';

const EVIDENCE = ['hint', 'message-prefix', 'string-prefix', 'containment'];

export function drawnParents(tree: ReasoningTree): { id: string; parent: string | null }[] {
  const best = new Map<string, ReasoningTree['edges'][number]>();
  for (const e of tree.edges) {
    const current = best.get(e.to);
    if (
      !current ||
      e.confidence > current.confidence ||
      (e.confidence === current.confidence &&
        (Number(e.certainty === 'ambiguous') - Number(current.certainty === 'ambiguous') ||
          EVIDENCE.indexOf(e.evidence) - EVIDENCE.indexOf(current.evidence)) < 0)
    )
      best.set(e.to, e);
  }
  return tree.nodes.map((n) => ({ id: n.id, parent: best.get(n.id)?.from ?? null }));
}
