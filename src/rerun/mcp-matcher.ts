// Answers re-run tool calls from the recording by tool name and canonical (masked) arguments.
// Identical calls are answered in recorded order; a call with no answer left is explained: the
// closest recorded call (same tool first, then the most arguments in common) and what differs.

import { canonicalJson } from '../core/canonical-json.js';
import type { JsonObject } from '../core/events.js';
import type { RecordedToolCall } from './mcp-recorded.js';
import { toolCallKey } from './mcp-recorded.js';

export interface McpUnmatched {
  /** 1-based position of the tool call in the re-run. */
  readonly position: number;
  readonly tool: string;
  /** `no_match`: no recorded call has this tool and these arguments; `exhausted`: asked more often than recorded. */
  readonly reason: 'no_match' | 'exhausted';
  readonly closest: { readonly position: number; readonly tool: string; readonly callId: string } | null;
  /** Where the call parts from the closest: the tool name, and the top-level arguments that differ. */
  readonly differs: { readonly tool: boolean; readonly arguments: string[] } | null;
}

export type McpMatch =
  | { readonly kind: 'answer'; readonly position: number; readonly call: RecordedToolCall }
  | { readonly kind: 'unmatched'; readonly unmatched: McpUnmatched };

export class McpMatcher {
  readonly #calls: readonly RecordedToolCall[];
  readonly #queues = new Map<string, RecordedToolCall[]>();
  readonly #served = new Set<number>();
  #requests = 0;

  constructor(calls: readonly RecordedToolCall[]) {
    this.#calls = calls;
    for (const call of calls) {
      const queue = this.#queues.get(call.key) ?? [];
      queue.push(call);
      this.#queues.set(call.key, queue);
    }
  }

  /** Takes the next recorded result for a call with these (masked) arguments, or says why there is none. */
  match(tool: string, args: JsonObject): McpMatch {
    const position = ++this.#requests;
    const queue = this.#queues.get(toolCallKey(tool, args));
    const call = queue?.shift();
    if (call) {
      this.#served.add(call.position);
      return { kind: 'answer', position, call };
    }
    const closest = queue
      ? this.#calls.find((c) => c.key === toolCallKey(tool, args))
      : this.#closest(tool, args);
    return {
      kind: 'unmatched',
      unmatched: {
        position,
        tool,
        reason: queue ? 'exhausted' : 'no_match',
        closest: closest ? { position: closest.position, tool: closest.tool, callId: closest.callId } : null,
        differs:
          closest && !queue
            ? { tool: closest.tool !== tool, arguments: differingArguments(closest.arguments, args) }
            : null,
      },
    };
  }

  get requests(): number {
    return this.#requests;
  }

  /** Recorded calls no re-run call has taken yet, by recorded position. */
  unserved(): number[] {
    return this.#calls.filter((c) => !this.#served.has(c.position)).map((c) => c.position);
  }

  /** The same tool if recorded, with the most equal arguments; ties to the earliest call not yet taken. */
  #closest(tool: string, args: JsonObject): RecordedToolCall | null {
    let best: RecordedToolCall | null = null;
    let bestScore = -1;
    for (const c of this.#calls) {
      const same = Object.keys(args).length - differingArguments(c.arguments, args).length;
      const score = (c.tool === tool ? 1_000_000 : 0) + same * 2 + (this.#served.has(c.position) ? 0 : 1);
      if (score > bestScore) {
        best = c;
        bestScore = score;
      }
    }
    return best;
  }
}

/** Top-level argument names whose values differ (or that only one side has), sorted. */
export function differingArguments(recorded: JsonObject, rerun: JsonObject): string[] {
  return [...new Set([...Object.keys(recorded), ...Object.keys(rerun)])]
    .filter((k) => {
      const a = recorded[k];
      const b = rerun[k];
      return a === undefined || b === undefined || canonicalJson(a) !== canonicalJson(b);
    })
    .sort();
}
