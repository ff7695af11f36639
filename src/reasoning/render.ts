// Text rendering of a tree and a path for the terminal: each node under the thought it continued,
// kept (+) and pruned (-) marks, evaluations inline with their scores, and edge evidence.
import type { OutcomePath } from './outcome-path.js';
import type { ReasoningEdge, ReasoningNode, ReasoningThought, ReasoningTree } from './types.js';

const MAX_TEXT = 90;

function oneLine(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > MAX_TEXT ? `${flat.slice(0, MAX_TEXT - 1)}…` : flat;
}

function mark(status: string): string {
  return status === 'kept' ? '+' : '-';
}

function scoreText(tree: ReasoningTree, thought: ReasoningThought): string {
  if (thought.score === null) return '';
  const verdicts = thought.evaluations.flatMap((id) => {
    const ev = tree.evaluations.find((e) => e.id === id);
    return ev ? [`${ev.kind} ${ev.outputs.map((o) => o.verdict ?? '?').join('/')}`] : [];
  });
  return `  [score ${thought.score}${verdicts.length ? `: ${verdicts.join('; ')}` : ''}]`;
}

export function renderTree(tree: ReasoningTree): string {
  const out: string[] = [];
  const byId = new Map(tree.nodes.map((n) => [n.id, n]));
  const childrenOf = new Map<string, ReasoningEdge[]>();
  const primaryParent = new Map<string, ReasoningEdge>();
  for (const e of tree.edges) {
    const current = primaryParent.get(e.to);
    if (!current || e.confidence > current.confidence) primaryParent.set(e.to, e);
  }
  for (const e of primaryParent.values()) {
    const key = `${e.from}#${e.fromLine ?? '*'}`;
    const list = childrenOf.get(key) ?? [];
    list.push(e);
    childrenOf.set(key, list);
  }
  const others = (id: string, primary: ReasoningEdge) =>
    tree.edges
      .filter((e) => e.to === id && e !== primary)
      .map((e) => `${e.from} ${e.evidence} ${e.confidence}`);

  const printNode = (node: ReasoningNode, indent: string, via: ReasoningEdge | null) => {
    const edge = via ? `  <- ${via.evidence} ${via.confidence}` : '';
    const also = via ? others(node.id, via) : [];
    const final = node.id === tree.finalNodeId ? '  (final)' : '';
    out.push(
      `${indent}${mark(node.status)} ${node.id}${edge}${also.length ? ` (also ${also.join(', ')})` : ''}${final}`,
    );
    const inner = `${indent}    `;
    for (const thought of node.thoughts) {
      const label = thought.line === null ? '' : `L${thought.line} `;
      out.push(`${inner}${mark(thought.status)} ${label}${oneLine(thought.text)}${scoreText(tree, thought)}`);
      const children = [
        ...(childrenOf.get(`${node.id}#${thought.line ?? '*'}`) ?? []),
        ...(thought.line !== null && thought === node.thoughts[0]
          ? (childrenOf.get(`${node.id}#*`) ?? [])
          : []),
      ];
      for (const child of children) printNode(byId.get(child.to)!, `${inner}    `, child);
    }
  };
  for (const root of tree.roots) printNode(byId.get(root)!, '', null);
  out.push(
    `${tree.nodes.length} nodes, ${tree.edges.length} edges, ${tree.evaluations.length} evaluations; final ${tree.finalNodeId ?? 'none'}`,
  );
  return out.join('\n');
}

export function renderPath(path: OutcomePath): string {
  const out: string[] = [`outcome path to ${path.target}`];
  path.steps.forEach((step, i) => {
    const via = step.evidence ? ` (${step.evidence} ${step.confidence})` : ' (root)';
    out.push(`step ${i + 1}: ${step.nodeId}${via}`);
    out.push(`  prompt:   ${oneLine(step.prompt.split('\n').slice(-3).join(' / '))}`);
    out.push(`  response: ${oneLine(step.response)}`);
    if (step.thought) {
      const score = step.thought.score === null ? '' : ` [score ${step.thought.score}]`;
      out.push(`  chose:    ${oneLine(step.thought.text)}${score}`);
    }
    for (const alt of step.alternatives) {
      const score = alt.score === null ? '' : ` [score ${alt.score}]`;
      out.push(
        `    ${mark(alt.status)} ${alt.nodeId}${alt.line === null ? '' : ` L${alt.line}`} ${oneLine(alt.text)}${score}`,
      );
    }
  });
  return out.join('\n');
}
