// What the web console draws a reasoning tree from, and what it reads when a node is opened. A
// 10,000-call tree with every prompt and reply is tens of megabytes of JSON; the outline leaves out
// the texts (each thought is cut to a label), the evaluations (counted) and the edges' alternative
// parents, so the tree can be drawn at once; a node's prompt, reply, evaluations and actions are
// asked for when someone opens it.
import { VigilError } from '../../core/errors.js';
import { outcomePath, type ReasoningNode, type SessionTreeJson } from '../../reasoning/index.js';

const LABEL_CHARS = 80;

const cut = (text: string) => (text.length > LABEL_CHARS ? `${text.slice(0, LABEL_CHARS)}…` : text);

export function treeOutline(json: SessionTreeJson) {
  const { tree } = json;
  return {
    sessionId: json.sessionId,
    outline: true,
    tree: {
      ...tree,
      nodes: tree.nodes.map((n) => ({
        ...n,
        prompt: '',
        response: '',
        toolCalls: [],
        thoughts: n.thoughts.map((t) => ({ ...t, text: cut(t.text) })),
      })),
      // Each node's evaluations come with the node (treeNode); drawing needs only each node's one
      // parent. Left out, the outline of a 10,054-call session fell from 17.1 MB to 3.5 MB.
      edges: tree.edges.map(({ candidates: _candidates, ...edge }) => ({ ...edge, candidates: [] })),
      evaluations: [],
    },
    evaluationCount: tree.evaluations.length,
    // The gateway's outcome path, so the page need not rebuild it from texts it does not have.
    path: tree.nodes.length ? outcomePath(tree).steps.map((s) => s.nodeId) : [],
    actions: json.actions,
  };
}

export function treeNode(json: SessionTreeJson, nodeId: string) {
  const node: ReasoningNode | undefined = json.tree.nodes.find((n) => n.id === nodeId);
  if (!node) throw new VigilError('usage', `no node ${nodeId} in the reasoning tree of ${json.sessionId}`);
  return {
    sessionId: json.sessionId,
    node,
    evaluations: json.tree.evaluations.filter((e) => e.targets.some((t) => t.nodeId === nodeId)),
    actions: json.actions.filter((a) => a.nodeId === nodeId),
  };
}
