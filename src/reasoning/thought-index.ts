// Where each reply's thoughts can be found again: a map from line and state keys to the replies
// (and lines) that produced them. Lookups replace scanning every earlier reply for every prompt,
// which would be quadratic in the number of calls.
import { getOrCompute } from './memo-map.js';
import { keyKind, lineKeys, normalizeText } from './text.js';

/** A reply of a generation call: one choice of one request. */
export interface GenerationReply {
  readonly nodeIndex: number;
  /** When the reply existed: the seq of its response event. */
  readonly availableSeq: number;
  readonly lines: readonly string[];
  /** The whole reply, normalized, for containment checks. */
  readonly normalized: string;
  /** True when the reply has one non-empty line: its line and the whole are the same thought. */
  readonly singleLine: boolean;
}

export interface ThoughtRef {
  readonly nodeIndex: number;
  /** null: the whole reply. */
  readonly line: number | null;
}

export interface ContainmentMatch {
  readonly refs: readonly ThoughtRef[];
  readonly kind: 'whole' | 'line' | 'state';
  /** Index in the searched lines of the line that matched. */
  readonly at: number;
}

/** Above this many earlier thoughts sharing one key, only the latest are considered. */
const MAX_REFS_PER_KEY = 64;

export class ThoughtIndex {
  readonly #replies: GenerationReply[];
  readonly #byKey = new Map<string, { ref: ThoughtRef; seq: number }[]>();
  /**
   * The keys of each line text seen so far. A prompt is searched line by line from its end, and an
   * agent's prompts repeat the whole conversation so far: without this a long session normalized
   * the same history lines again for every call.
   */
  readonly #keysOfLine = new Map<string, readonly string[]>();

  /** `replies` must come in availableSeq order; `nodeCount` bounds their node indexes. */
  constructor(replies: readonly GenerationReply[], nodeCount: number) {
    this.#replies = new Array<GenerationReply>(nodeCount);
    for (const reply of replies) {
      this.#replies[reply.nodeIndex] = reply;
      const seenLines = new Set<string>();
      reply.lines.forEach((line, i) => {
        // A repeated line is the same thought: only its first occurrence can be continued or judged.
        const normalized = normalizeText(line);
        if (seenLines.has(normalized)) return;
        seenLines.add(normalized);
        const ref: ThoughtRef = { nodeIndex: reply.nodeIndex, line: reply.singleLine ? null : i };
        for (const key of new Set(this.#lineKeys(line))) {
          let list = this.#byKey.get(key);
          if (!list) {
            list = [];
            this.#byKey.set(key, list);
          }
          list.push({ ref, seq: reply.availableSeq });
        }
      });
    }
  }

  reply(nodeIndex: number): GenerationReply | undefined {
    return this.#replies[nodeIndex];
  }

  lookup(key: string, beforeSeq: number, allow?: (nodeIndex: number) => boolean): ThoughtRef[] {
    const list = this.#byKey.get(key);
    if (!list) return [];
    let hi = list.length;
    let lo = 0;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (list[mid]!.seq < beforeSeq) lo = mid + 1;
      else hi = mid;
    }
    const out: ThoughtRef[] = [];
    for (let i = lo - 1; i >= 0 && out.length < MAX_REFS_PER_KEY; i--) {
      const { ref } = list[i]!;
      if (!allow || allow(ref.nodeIndex)) out.push(ref);
    }
    return out.reverse();
  }

  /**
   * The thoughts a text quotes, searching its lines from the end: prompts put the state being
   * continued or judged last, after instructions and examples. The first line that names earlier
   * thoughts decides; a reply quoted whole is preferred over one of its lines.
   */
  findQuoted(
    lines: readonly string[],
    beforeSeq: number,
    allow?: (nodeIndex: number) => boolean,
  ): ContainmentMatch | null {
    let normalized: string | null = null;
    for (let i = lines.length - 1; i >= 0; i--) {
      for (const key of this.#lineKeys(lines[i]!)) {
        const refs = this.lookup(key, beforeSeq, allow);
        if (refs.length === 0) continue;
        normalized ??= normalizeText(lines.join('\n'));
        const whole = refs.filter((r) => {
          const reply = this.#replies[r.nodeIndex]!;
          return !reply.singleLine && reply.normalized.length > 0 && normalized!.includes(reply.normalized);
        });
        if (whole.length > 0) {
          const unique = [...new Set(whole.map((r) => r.nodeIndex))].map((nodeIndex) => ({
            nodeIndex,
            line: null,
          }));
          return { refs: unique, kind: 'whole', at: i };
        }
        return { refs: dedupe(refs), kind: keyKind(key), at: i };
      }
    }
    return null;
  }

  #lineKeys(line: string): readonly string[] {
    return getOrCompute(this.#keysOfLine, line, lineKeys);
  }
}

function dedupe(refs: readonly ThoughtRef[]): ThoughtRef[] {
  const seen = new Set<string>();
  const out: ThoughtRef[] = [];
  for (const r of refs) {
    const key = `${r.nodeIndex}:${r.line}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(r);
  }
  return out;
}
