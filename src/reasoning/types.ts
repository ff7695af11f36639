// The shapes of a rebuilt reasoning tree. Plain JSON-ready data: the admin API returns them as is.

/** What an edge rests on, strongest first. */
export const EDGE_EVIDENCE = ['hint', 'message-prefix', 'string-prefix', 'containment'] as const;
export type EdgeEvidence = (typeof EDGE_EVIDENCE)[number];

/**
 * Whether the evidence singles out one parent. `ambiguous`: several earlier thoughts fit equally
 * (two concurrent runs of one session reached the same state, so their prompts are byte-identical)
 * and the edge names them all as candidates; its `from` is only the best guess among them.
 */
export const EDGE_CERTAINTIES = ['certain', 'ambiguous'] as const;
export type EdgeCertainty = (typeof EDGE_CERTAINTIES)[number];

export const THOUGHT_STATUSES = ['kept', 'pruned'] as const;
export type ThoughtStatus = (typeof THOUGHT_STATUSES)[number];

export const EVALUATION_KINDS = ['value', 'vote', 'score'] as const;
export type EvaluationKind = (typeof EVALUATION_KINDS)[number];

/**
 * One candidate inside a model reply. A reply that lists several proposals (one per line, as in
 * ToT's Game of 24) holds one thought per line; otherwise the whole reply is one thought (line null).
 */
export interface ReasoningThought {
  line: number | null;
  text: string;
  status: ThoughtStatus;
  /** Sum of the scores of the evaluations of this thought; null when nothing evaluated it. */
  score: number | null;
  evaluations: string[];
}

/** One choice of one model request: id `${requestId}:${choiceIndex}`. */
export interface ReasoningNode {
  id: string;
  requestId: string;
  choiceIndex: number;
  /** Sequence number of the llm.request event. */
  seq: number;
  time: string;
  api: string;
  model: string | null;
  prompt: string;
  response: string;
  /** The reasoning the model showed before its response (thinking, reasoning_content); '' when none. */
  reasoning: string;
  toolCalls: { name: string; arguments: string }[];
  depth: number;
  status: ThoughtStatus;
  thoughts: ReasoningThought[];
}

export interface ReasoningEdge {
  from: string;
  to: string;
  /** The line of the parent's reply the child continued; null when it continued the whole reply. */
  fromLine: number | null;
  evidence: EdgeEvidence;
  confidence: number;
  certainty: EdgeCertainty;
  /** Every parent the evidence leaves possible, the best guess (`from`) first; one when certain. */
  candidates: ParentCandidate[];
}

export interface ParentCandidate {
  from: string;
  fromLine: number | null;
  /**
   * The candidate's reply went back on the TCP connection the child was sent on: weak evidence
   * (a client's keep-alive pool may serve several runs), used only to order the candidates.
   * null when either side's connection is not recorded.
   */
  sameClientConnection: boolean | null;
}

export interface EvaluationOutput {
  choiceIndex: number;
  text: string;
  /** The parsed verdict: a value word, `choice N`, or a number; null when none was found. */
  verdict: string | null;
  score: number | null;
}

export interface EvaluationTarget {
  nodeId: string;
  line: number | null;
  /** For votes, the 1-based choice number the prompt gave this candidate. */
  choice: number | null;
  score: number;
  confidence: number;
  /** `ambiguous` when the judged text fits several thoughts: each gets the score, any may be meant. */
  certainty: EdgeCertainty;
}

/** A value or vote call: it scores thoughts instead of extending them. */
export interface ReasoningEvaluation {
  id: string;
  requestId: string;
  seq: number;
  kind: EvaluationKind;
  prompt: string;
  outputs: EvaluationOutput[];
  targets: EvaluationTarget[];
  /** `ambiguous` when any target is. */
  certainty: EdgeCertainty;
}

export interface ReasoningTree {
  sessionId: string | null;
  nodes: ReasoningNode[];
  edges: ReasoningEdge[];
  evaluations: ReasoningEvaluation[];
  roots: string[];
  /** The session's outcome: the best-scored kept leaf, else the last generation node. */
  finalNodeId: string | null;
}

export interface BuildTreeOptions {
  /** Ignore hints (x-vigil-parent, metadata, span ids) and rely on content only. */
  readonly ignoreHints?: boolean;
  /**
   * The session's id when no event names it: a read of only the tree's event types
   * (TREE_EVENTS) of a session without model traffic or actions is empty.
   */
  readonly sessionId?: string;
}
