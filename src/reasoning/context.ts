// What the tree builder's passes share: the calls, their generation nodes, the varying part of
// every prompt, the thought index, and the names hints may use for a node.
import type { EventContent } from '../core/events.js';
import { extractModelCalls, type ModelCall } from './calls.js';
import { type PromptRegion, promptRegions } from './prompt-regions.js';
import { normalizeText } from './text.js';
import { type GenerationReply, ThoughtIndex } from './thought-index.js';
import { classifyEvaluation, type Verdict } from './verdicts.js';

export interface NodeDraft {
  readonly id: string;
  readonly callIndex: number;
  readonly choiceIndex: number;
  readonly text: string;
  readonly lines: readonly string[];
  readonly singleLine: boolean;
}

export interface BuildContext {
  readonly calls: readonly ModelCall[];
  /** Per call: its verdicts when it is an evaluation, else null. */
  readonly verdicts: readonly ((Verdict | null)[] | null)[];
  readonly nodes: readonly NodeDraft[];
  readonly nodesOfCall: readonly (readonly number[])[];
  readonly regions: readonly PromptRegion[];
  readonly index: ThoughtIndex;
  /** Node ids, request ids and upstream response ids → the nodes they name. */
  readonly names: ReadonlyMap<string, readonly number[]>;
  /** Span ids clients declared for calls → those calls' nodes. */
  readonly spans: ReadonlyMap<string, readonly number[]>;
}

function addName(map: Map<string, number[]>, name: string, nodes: readonly number[]): void {
  const list = map.get(name);
  if (list) list.push(...nodes);
  else map.set(name, [...nodes]);
}

export function buildContext(events: readonly EventContent[]): BuildContext {
  const calls = extractModelCalls(events);
  const verdicts = calls.map((c) =>
    classifyEvaluation(
      c.prompt,
      c.choices.map((ch) => ch.text),
    ),
  );
  const nodes: NodeDraft[] = [];
  const nodesOfCall: number[][] = [];
  const names = new Map<string, number[]>();
  const spans = new Map<string, number[]>();
  calls.forEach((call, callIndex) => {
    const own: number[] = [];
    if (verdicts[callIndex] === null) {
      for (const choice of call.choices) {
        const lines = choice.text.split('\n');
        const nodeIndex = nodes.length;
        nodes.push({
          id: `${call.requestId}:${choice.index}`,
          callIndex,
          choiceIndex: choice.index,
          text: choice.text,
          lines,
          singleLine: lines.filter((l) => l.trim() !== '').length <= 1,
        });
        own.push(nodeIndex);
        addName(names, `${call.requestId}:${choice.index}`, [nodeIndex]);
        if (call.responseId) addName(names, `${call.responseId}:${choice.index}`, [nodeIndex]);
      }
      addName(names, call.requestId, own);
      if (call.responseId) addName(names, call.responseId, own);
      if (call.ownSpanId) addName(spans, call.ownSpanId, own);
    }
    nodesOfCall.push(own);
  });
  const replies: GenerationReply[] = nodes.map((n, nodeIndex) => ({
    nodeIndex,
    availableSeq: calls[n.callIndex]!.responseSeq,
    lines: n.lines,
    normalized: normalizeText(n.text),
    singleLine: n.singleLine,
  }));
  const bySeq = [...replies].sort((a, b) => a.availableSeq - b.availableSeq || a.nodeIndex - b.nodeIndex);
  return {
    calls,
    verdicts,
    nodes,
    nodesOfCall,
    regions: promptRegions(calls.map((c) => c.prompt)),
    index: new ThoughtIndex(bySeq, nodes.length),
    names,
    spans,
  };
}
