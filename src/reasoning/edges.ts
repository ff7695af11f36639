// Parents of each generation call, from the strongest evidence that yields any: hints, then chat
// message prefixes, then string prefixes, then containment. Every choice of a call gets the same
// parents: the n choices of one request are siblings.
// Only replies completed before the request was sent can be its parent: the gateway records a
// request before forwarding it and a response before delivering its end, so `responseSeq < seq` is
// exactly that order. Where several such replies fit the content equally (two concurrent runs of a
// session reached the same state), the link is ambiguous and names them all.
import { choiceReplyKey, replyKey } from './calls.js';
import type { BuildContext } from './context.js';
import { QUOTE_CONFIDENCE } from './evaluations.js';
import { getOrCompute } from './memo-map.js';
import { chainHash, hashText, normalizeText } from './text.js';
import type { ThoughtRef } from './thought-index.js';
import type { EdgeEvidence } from './types.js';

export const EDGE_CONFIDENCE = {
  hintNode: 1,
  hintRequest: 0.95,
  hintSpan: 0.9,
  messagePrefix: 0.95,
  stringPrefix: 0.9,
  stringPrefixAtLine: 0.8,
} as const;
/** How many line boundaries from the end a string prefix may stop at. */
const PREFIX_BOUNDARIES = 6;

export interface ParentLink {
  readonly parent: ThoughtRef;
  readonly evidence: EdgeEvidence;
  readonly confidence: number;
  /** null when the parent is the only candidate (certain); else every candidate, the parent first. */
  readonly candidates: readonly ThoughtRef[] | null;
}

/**
 * Whether a candidate parent's reply went back on the TCP connection the child call came on; null
 * when either is unrecorded. Two processes never share a socket, but one process's keep-alive pool
 * may carry several runs, so this only orders candidates, it never makes a link certain.
 */
export function sameClientConnection(
  ctx: BuildContext,
  callIndex: number,
  parentNode: number,
): boolean | null {
  const own = ctx.calls[callIndex]!.clientConnection;
  const theirs = ctx.calls[ctx.nodes[parentNode]!.callIndex]!.clientConnection;
  return own === null || theirs === null ? null : own === theirs;
}

type ScoreOf = (ref: ThoughtRef) => number;

function prefixHashes(
  messages: readonly { role: string; text: string; toolCalls: readonly string[] }[],
  normalize: (text: string) => string,
): number[] {
  const hashes = [0];
  for (const m of messages) {
    const key = `${m.role}\u0000${normalize(m.text)}\u0000${m.toolCalls.join('\u0001')}`;
    hashes.push(chainHash(hashes.at(-1)!, key));
  }
  return hashes;
}

export class ParentFinder {
  readonly #ctx: BuildContext;
  readonly #ignoreHints: boolean;
  readonly #byConversation = new Map<string, number[]>();
  readonly #byPromptAndReply = new Map<number, number[]>();
  /** Lengths of every prompt + reply: only prefixes of such a length can match, so only they are hashed. */
  readonly #prefixLengths = new Set<number>();
  /** Containment pairing state: matched candidate set → how many children took one already. */
  readonly #pairings = new Map<string, number>();
  readonly #scoreOf: ScoreOf;
  /**
   * Each call's conversation prefix hashes, computed once: the index and the parent search both need
   * them, and an agent's calls each carry the whole conversation so far (normalizing and hashing it
   * is most of a long session's build).
   */
  readonly #prefixes = new Map<number, number[]>();
  /** Message texts normalized so far: an agent's calls repeat the same earlier messages. */
  readonly #normalized = new Map<string, string>();

  constructor(ctx: BuildContext, ignoreHints: boolean, scoreOf: ScoreOf) {
    this.#ctx = ctx;
    this.#ignoreHints = ignoreHints;
    this.#scoreOf = scoreOf;
    ctx.nodes.forEach((node, nodeIndex) => {
      const call = ctx.calls[node.callIndex]!;
      const choice = call.choices.find((c) => c.index === node.choiceIndex)!;
      if (call.messages) {
        const hash = this.#prefixHashes(node.callIndex).at(-1)!;
        push(this.#byConversation, `${hash}|${call.messages.length}|${choiceReplyKey(choice)}`, nodeIndex);
      }
      if (node.text.trim() !== '') {
        push(this.#byPromptAndReply, hashText(call.prompt + node.text), nodeIndex);
        this.#prefixLengths.add(call.prompt.length + node.text.length);
      }
    });
  }

  parentsOf(callIndex: number): ParentLink[] {
    return (
      (this.#ignoreHints ? null : this.#fromHints(callIndex)) ??
      this.#fromMessagePrefix(callIndex) ??
      this.#fromStringPrefix(callIndex) ??
      this.#fromContainment(callIndex) ??
      []
    );
  }

  #prefixHashes(callIndex: number): number[] {
    return getOrCompute(this.#prefixes, callIndex, (i) =>
      prefixHashes(this.#ctx.calls[i]!.messages ?? [], (text) =>
        getOrCompute(this.#normalized, text, normalizeText),
      ),
    );
  }

  #available(nodeIndex: number, beforeSeq: number): boolean {
    return this.#ctx.calls[this.#ctx.nodes[nodeIndex]!.callIndex]!.responseSeq < beforeSeq;
  }

  /** The line of a named parent the child continued, found by content inside that parent only. */
  #lineWithin(callIndex: number, nodeIndex: number): number | null {
    const call = this.#ctx.calls[callIndex]!;
    const match = this.#ctx.index.findQuoted(
      this.#ctx.regions[callIndex]!.lines,
      call.seq,
      (n) => n === nodeIndex,
    );
    if (!match || match.refs.length === 0) return null;
    const paired = this.#pair(match.refs);
    return (paired.length === 1 ? paired[0]!.line : match.refs[0]!.line) ?? null;
  }

  /**
   * Several candidates share the quoted text (the same Game of 24 state reached twice): children
   * with that same match are paired with the candidates one to one, best score first, then in
   * order, as a beam search expands each kept candidate once, in rank order. Returns one ref when
   * pairing worked, all of them when the candidates ran out.
   */
  #pair(refs: readonly ThoughtRef[]): ThoughtRef[] {
    if (refs.length <= 1) return [...refs];
    const ranked = [...refs].sort(
      (a, b) =>
        this.#scoreOf(b) - this.#scoreOf(a) || a.nodeIndex - b.nodeIndex || (a.line ?? -1) - (b.line ?? -1),
    );
    const key = ranked.map((r) => `${r.nodeIndex}:${r.line}`).join(',');
    const taken = this.#pairings.get(key) ?? 0;
    this.#pairings.set(key, taken + 1);
    return taken < ranked.length ? [ranked[taken]!] : ranked;
  }

  #fromHints(callIndex: number): ParentLink[] | null {
    const call = this.#ctx.calls[callIndex]!;
    const links: ParentLink[] = [];
    for (const hint of call.hints) {
      const named = (this.#ctx.names.get(hint) ?? []).filter((n) => this.#available(n, call.seq));
      const single = named.length === 1;
      const isNode = single && this.#ctx.nodes[named[0]!]!.id === hint;
      for (const n of named) {
        const confidence = isNode ? EDGE_CONFIDENCE.hintNode : EDGE_CONFIDENCE.hintRequest / named.length;
        links.push({
          parent: { nodeIndex: n, line: this.#lineWithin(callIndex, n) },
          evidence: 'hint',
          confidence,
          candidates: null,
        });
      }
    }
    if (links.length === 0 && call.parentSpanId) {
      const named = (this.#ctx.spans.get(call.parentSpanId) ?? []).filter((n) =>
        this.#available(n, call.seq),
      );
      for (const n of named) {
        links.push({
          parent: { nodeIndex: n, line: this.#lineWithin(callIndex, n) },
          evidence: 'hint',
          confidence: EDGE_CONFIDENCE.hintSpan / named.length,
          candidates: null,
        });
      }
    }
    return links.length > 0 ? links : null;
  }

  #fromMessagePrefix(callIndex: number): ParentLink[] | null {
    const call = this.#ctx.calls[callIndex]!;
    if (!call.messages?.some((m, k) => k > 0 && m.role === 'assistant')) return null;
    const hashes = this.#prefixHashes(callIndex);
    for (let k = call.messages.length - 1; k > 0; k--) {
      const m = call.messages[k]!;
      if (m.role !== 'assistant') continue;
      const key = `${hashes[k]}|${k}|${replyKey(m.text, m.toolCalls)}`;
      const found = (this.#byConversation.get(key) ?? []).filter((n) => this.#available(n, call.seq));
      if (found.length > 0) return links(found, 'message-prefix', EDGE_CONFIDENCE.messagePrefix);
    }
    return null;
  }

  #fromStringPrefix(callIndex: number): ParentLink[] | null {
    const call = this.#ctx.calls[callIndex]!;
    const prompt = call.prompt;
    const ends = [prompt.length];
    for (let i = prompt.length - 1, seen = 0; i > 0 && seen < PREFIX_BOUNDARIES; i--) {
      if (prompt.charCodeAt(i) === 10) {
        ends.push(i + 1, i);
        seen++;
      }
    }
    for (const end of ends) {
      if (!this.#prefixLengths.has(end)) continue;
      const candidates = this.#byPromptAndReply.get(hashText(prompt.slice(0, end))) ?? [];
      const found = candidates.filter((n) => {
        if (!this.#available(n, call.seq)) return false;
        const node = this.#ctx.nodes[n]!;
        const parentPrompt = this.#ctx.calls[node.callIndex]!.prompt;
        return (
          parentPrompt.length + node.text.length === end &&
          prompt.startsWith(parentPrompt) &&
          prompt.startsWith(node.text, parentPrompt.length)
        );
      });
      if (found.length > 0) {
        const confidence =
          end === prompt.length ? EDGE_CONFIDENCE.stringPrefix : EDGE_CONFIDENCE.stringPrefixAtLine;
        return links(found, 'string-prefix', confidence);
      }
    }
    return null;
  }

  /** A prompt that quotes an earlier thought continues it. */
  #fromContainment(callIndex: number): ParentLink[] | null {
    const call = this.#ctx.calls[callIndex]!;
    const match = this.#ctx.index.findQuoted(this.#ctx.regions[callIndex]!.lines, call.seq);
    if (!match) return null;
    const base = QUOTE_CONFIDENCE[match.kind];
    const refs = match.refs.filter((r) => this.#ctx.nodes[r.nodeIndex]!.callIndex !== callIndex);
    if (refs.length === 0) return null;
    if (refs.length === 1) {
      return [{ parent: refs[0]!, evidence: 'containment', confidence: base, candidates: null }];
    }
    // Equal candidates: the best guess comes from those on the child's own TCP connection, if some
    // are and some are not, then by rank pairing. The link stays ambiguous whatever the guess.
    const sameSocket = refs.filter((r) => sameClientConnection(this.#ctx, callIndex, r.nodeIndex) === true);
    const pool = sameSocket.length > 0 && sameSocket.length < refs.length ? sameSocket : refs;
    return this.#pair(pool).map((parent) => ({
      parent,
      evidence: 'containment',
      confidence: base / refs.length,
      candidates: [parent, ...refs.filter((r) => r !== parent)],
    }));
  }
}

/** One link per found parent; several found (identical conversations) are each ambiguous. */
function links(nodes: readonly number[], evidence: EdgeEvidence, confidence: number): ParentLink[] {
  const refs: ThoughtRef[] = nodes.map((nodeIndex) => ({ nodeIndex, line: null }));
  return refs.map((parent) => ({
    parent,
    evidence,
    confidence: confidence / nodes.length,
    candidates: refs.length === 1 ? null : [parent, ...refs.filter((r) => r !== parent)],
  }));
}

function push<K>(map: Map<K, number[]>, key: K, value: number): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}
