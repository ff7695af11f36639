// Answers re-run requests from the recording by content. Identical requests are answered in
// recorded order (the k-th identical request gets the k-th recorded answer). A request with no
// answer left is explained: the closest recorded request and where the two differ.
import type { JsonValue } from '../core/events.js';
import type { LlmApi } from '../core/llm-payloads.js';
import { parameters, promptText } from './prompt-text.js';
import type { RecordedCall } from './recorded-calls.js';
import { contentOf, requestKey } from './request-key.js';

/** Characters of context shown on each side of the point where two prompts part. */
const EXCERPT = 60;

export interface Divergence {
  /** `prompt`: the prompts differ at `offset`; `parameters`: same prompt, other parameters. */
  readonly in: 'prompt' | 'parameters';
  /** Offset into the prompt text where they part (the common prefix's length). */
  readonly offset: number;
  /** The recorded and re-run prompt text from a little before the offset. */
  readonly recorded: string;
  readonly rerun: string;
  /** Top-level fields whose values differ (model, temperature, n, tools, ...). */
  readonly parameters: string[];
}

export interface Unmatched {
  /** 1-based position of the request in the re-run. */
  readonly position: number;
  readonly api: LlmApi;
  /** `no_match`: no recorded request has this content; `exhausted`: asked more often than recorded. */
  readonly reason: 'no_match' | 'exhausted';
  readonly closest: { readonly position: number; readonly requestId: string } | null;
  readonly divergence: Divergence | null;
}

export type MatchResult =
  | { readonly kind: 'answer'; readonly position: number; readonly call: RecordedCall }
  | { readonly kind: 'unmatched'; readonly unmatched: Unmatched };

export class RerunMatcher {
  readonly #calls: readonly RecordedCall[];
  readonly #queues = new Map<string, RecordedCall[]>();
  readonly #served = new Set<number>();
  #requests = 0;

  constructor(calls: readonly RecordedCall[]) {
    this.#calls = calls;
    for (const call of calls) {
      const queue = this.#queues.get(call.key) ?? [];
      queue.push(call);
      this.#queues.set(call.key, queue);
    }
  }

  /** Takes the next recorded answer for a (masked) request, or says why there is none. */
  match(api: LlmApi, path: string, body: JsonValue): MatchResult {
    const position = ++this.#requests;
    const key = requestKey(api, path, body);
    const queue = this.#queues.get(key);
    const call = queue?.shift();
    if (call) {
      this.#served.add(call.position);
      return { kind: 'answer', position, call };
    }
    const closest = queue ? this.#calls.find((c) => c.key === key) : this.#closest(api, body);
    return {
      kind: 'unmatched',
      unmatched: {
        position,
        api,
        reason: queue ? 'exhausted' : 'no_match',
        closest: closest ? { position: closest.position, requestId: closest.requestId } : null,
        divergence: closest && !queue ? divergence(closest.body, body) : null,
      },
    };
  }

  get requests(): number {
    return this.#requests;
  }

  /** Recorded calls no re-run request has taken yet, by recorded position. */
  unserved(): number[] {
    return this.#calls.filter((c) => !this.#served.has(c.position)).map((c) => c.position);
  }

  /** The recorded request of the same API whose prompt shares the longest prefix with this one. */
  #closest(api: LlmApi, body: JsonValue): RecordedCall | null {
    const text = promptText(contentOf(body));
    let best: RecordedCall | null = null;
    let bestScore = -1;
    for (const c of this.#calls) {
      if (c.api !== api) continue;
      const recorded = promptText(contentOf(c.body));
      // Ties go to the earliest recorded call that no request has taken yet: where a run diverges.
      const score = commonPrefix(recorded, text) * 2 + (this.#served.has(c.position) ? 0 : 1);
      if (score > bestScore) {
        best = c;
        bestScore = score;
      }
    }
    return best;
  }
}

export function commonPrefix(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  let i = 0;
  while (i < n && a.charCodeAt(i) === b.charCodeAt(i)) i++;
  return i;
}

export function divergence(recordedBody: JsonValue, rerunBody: JsonValue): Divergence {
  const recorded = promptText(contentOf(recordedBody));
  const rerun = promptText(contentOf(rerunBody));
  const before = parameters(contentOf(recordedBody));
  const after = parameters(contentOf(rerunBody));
  const changed = [...new Set([...before.keys(), ...after.keys()])]
    .filter((k) => before.get(k) !== after.get(k))
    .sort();
  const offset = commonPrefix(recorded, rerun);
  const from = Math.max(0, offset - EXCERPT);
  return {
    in: recorded === rerun ? 'parameters' : 'prompt',
    offset,
    recorded: recorded.slice(from, offset + EXCERPT),
    rerun: rerun.slice(from, offset + EXCERPT),
    parameters: changed,
  };
}
