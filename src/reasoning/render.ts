// Text rendering of a tree and a path for the terminal: each node under the thought it continued,
// kept (+) and pruned (-) marks, evaluations inline with their scores, and edge evidence.
// Thoughts, prompts and responses are model and user text: every piece of recorded text goes
// through `display` before it reaches the output, so the caller decides how it is made inert.
import { HIDDEN_OR_CONTROL } from '../core/visible-text.js';
import type { OutcomePath } from './outcome-path.js';
import type { ReasoningEdge, ReasoningNode, ReasoningThought, ReasoningTree } from './types.js';

/** Shows one line of recorded text; the CLI passes its injective escaping (src/core/inert-text.ts). */
export type DisplayText = (text: string) => string;

const HIDDEN = new RegExp(HIDDEN_OR_CONTROL.source, 'gu');

/** Without a display function, anything a terminal would act on or hide is shown as U+FFFD. */
const replaceHidden: DisplayText = (text) => text.replace(HIDDEN, '\uFFFD');

const MAX_TEXT = 90;

/** Cut on a character boundary, never inside a surrogate pair. */
function oneLine(text: string, display: DisplayText): string {
  const flat = Array.from(text.replace(/\s+/g, ' ').trim());
  return display(flat.length > MAX_TEXT ? `${flat.slice(0, MAX_TEXT - 1).join('')}…` : flat.join(''));
}

function candidateName(c: { from: string; fromLine: number | null }): string {
  return c.fromLine === null ? c.from : `${c.from} L${c.fromLine}`;
}

/** How an edge is shown: its evidence and confidence, and for an ambiguous edge every candidate. */
function edgeText(edge: ReasoningEdge, display: DisplayText): string {
  const base = display(`${edge.evidence} ${edge.confidence}`);
  if (edge.certainty !== 'ambiguous') return base;
  return `${base} AMBIGUOUS: one of ${edge.candidates.map((c) => display(candidateName(c))).join(' | ')}`;
}

function mark(status: string): string {
  return status === 'kept' ? '+' : '-';
}

function scoreText(tree: ReasoningTree, thought: ReasoningThought, display: DisplayText): string {
  if (thought.score === null) return '';
  const verdicts = thought.evaluations.flatMap((id) => {
    const ev = tree.evaluations.find((e) => e.id === id);
    return ev ? [display(`${ev.kind} ${ev.outputs.map((o) => o.verdict ?? '?').join('/')}`)] : [];
  });
  return `  [score ${thought.score}${verdicts.length ? `: ${verdicts.join('; ')}` : ''}]`;
}

export function renderTree(tree: ReasoningTree, display: DisplayText = replaceHidden): string {
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
      .map((e) => `${display(e.from)} ${edgeText(e, display)}`);

  const printNode = (node: ReasoningNode, indent: string, via: ReasoningEdge | null) => {
    const edge = via ? `  <- ${edgeText(via, display)}` : '';
    const also = via ? others(node.id, via) : [];
    const final = node.id === tree.finalNodeId ? '  (final)' : '';
    out.push(
      `${indent}${mark(node.status)} ${display(node.id)}${edge}${also.length ? ` (also ${also.join(', ')})` : ''}${final}`,
    );
    const inner = `${indent}    `;
    for (const thought of node.thoughts) {
      const label = thought.line === null ? '' : `L${thought.line} `;
      out.push(
        `${inner}${mark(thought.status)} ${label}${oneLine(thought.text, display)}${scoreText(tree, thought, display)}`,
      );
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
    `${tree.nodes.length} nodes, ${tree.edges.length} edges, ${tree.evaluations.length} evaluations; final ${display(tree.finalNodeId ?? 'none')}`,
  );
  return out.join('\n');
}

export function renderPath(path: OutcomePath, display: DisplayText = replaceHidden): string {
  const out: string[] = [`outcome path to ${display(path.target)}`];
  path.steps.forEach((step, i) => {
    const guess =
      step.certainty === 'ambiguous'
        ? `, AMBIGUOUS: followed the first of ${step.candidates.map(display).join(' | ')}`
        : '';
    const via = step.evidence ? ` (${display(`${step.evidence} ${step.confidence}`)}${guess})` : ' (root)';
    out.push(`step ${i + 1}: ${display(step.nodeId)}${via}`);
    out.push(`  prompt:   ${oneLine(step.prompt.split('\n').slice(-3).join(' / '), display)}`);
    if (step.reasoning) out.push(`  reasoned: ${oneLine(step.reasoning, display)}`);
    out.push(`  response: ${oneLine(step.response, display)}`);
    if (step.thought) {
      const score = step.thought.score === null ? '' : ` [score ${step.thought.score}]`;
      out.push(`  chose:    ${oneLine(step.thought.text, display)}${score}`);
    }
    for (const alt of step.alternatives) {
      const score = alt.score === null ? '' : ` [score ${alt.score}]`;
      out.push(
        `    ${mark(alt.status)} ${display(alt.nodeId)}${alt.line === null ? '' : ` L${alt.line}`} ${oneLine(alt.text, display)}${score}`,
      );
    }
  });
  return out.join('\n');
}
