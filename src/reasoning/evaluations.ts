// Value and vote calls: find the thoughts each one judges and the score it gives them.
// A vote prompt lists candidates under `Choice N:` headers; a value prompt carries one candidate
// (often only its state) after its instructions. Hints, when present, narrow the candidates.
import type { BuildContext } from './context.js';
import type { ContainmentMatch } from './thought-index.js';
import type { EvaluationKind, EvaluationOutput, EvaluationTarget, ReasoningEvaluation } from './types.js';
import type { Verdict } from './verdicts.js';

/** Confidence that a quoted text names the thought it was found in, by how it was found. */
export const QUOTE_CONFIDENCE = { whole: 0.75, line: 0.7, state: 0.55 } as const;

const CHOICE_HEADER = /^\s*choice\s+(\d+)\s*:\s*(.*)$/i;

interface ChoiceBlock {
  readonly choice: number;
  readonly lines: string[];
}

function choiceBlocks(prompt: string): ChoiceBlock[] {
  const blocks: ChoiceBlock[] = [];
  for (const line of prompt.split('\n')) {
    const header = CHOICE_HEADER.exec(line);
    if (header) blocks.push({ choice: Number(header[1]), lines: header[2] ? [header[2]] : [] });
    else blocks.at(-1)?.lines.push(line);
  }
  return blocks;
}

function majorityKind(verdicts: readonly (Verdict | null)[]): EvaluationKind {
  const counts = new Map<EvaluationKind, number>();
  for (const v of verdicts) if (v) counts.set(v.kind, (counts.get(v.kind) ?? 0) + 1);
  return [...counts].sort((a, b) => b[1] - a[1])[0]![0];
}

function hintedNodes(ctx: BuildContext, callIndex: number, ignoreHints: boolean): Set<number> | null {
  if (ignoreHints) return null;
  const named = ctx.calls[callIndex]!.hints.flatMap((h) => ctx.names.get(h) ?? []);
  return named.length > 0 ? new Set(named) : null;
}

/**
 * Every thought the judged text fits is a target. Several of them are one state judged once for all
 * (a client's value cache) or, in a session two concurrent runs share, one run's judgement that the
 * text cannot place: either way they are marked ambiguous.
 */
function targetsOf(ctx: BuildContext, match: ContainmentMatch, score: number, choice: number | null) {
  const confidence = QUOTE_CONFIDENCE[match.kind];
  const certainty = match.refs.length > 1 ? 'ambiguous' : 'certain';
  return match.refs.map(
    (r): EvaluationTarget => ({
      nodeId: ctx.nodes[r.nodeIndex]!.id,
      line: r.line,
      choice,
      score,
      confidence,
      certainty,
    }),
  );
}

export function buildEvaluations(ctx: BuildContext, ignoreHints: boolean): ReasoningEvaluation[] {
  const evaluations: ReasoningEvaluation[] = [];
  ctx.calls.forEach((call, callIndex) => {
    const verdicts = ctx.verdicts[callIndex];
    if (!verdicts) return;
    const kind = majorityKind(verdicts);
    const outputs = call.choices.map(
      (c, i): EvaluationOutput => ({
        choiceIndex: c.index,
        text: c.text,
        verdict: verdicts[i]?.label ?? null,
        score: verdicts[i]?.score ?? null,
      }),
    );
    // Content finds the exact thought judged, and every other thought the same judgement covers (a
    // client-side value cache reuses it); a hint stands in when content finds nothing.
    const hinted = hintedNodes(ctx, callIndex, ignoreHints);
    const targets: EvaluationTarget[] = [];
    const addMatches = (lines: readonly string[], score: number, choice: number | null) => {
      const found = ctx.index.findQuoted(lines, call.seq);
      if (found) {
        targets.push(...targetsOf(ctx, found, score, choice));
        return;
      }
      for (const n of hinted ?? []) {
        const own = ctx.index.findQuoted(lines, call.seq, (m) => m === n);
        const refs = own?.refs ?? [{ nodeIndex: n, line: null }];
        for (const r of refs) {
          targets.push({
            nodeId: ctx.nodes[r.nodeIndex]!.id,
            line: r.line,
            choice,
            score,
            confidence: 1,
            certainty: 'certain',
          });
        }
      }
    };
    const blocks = kind === 'vote' ? choiceBlocks(call.prompt) : [];
    if (blocks.length > 0) {
      for (const block of blocks) {
        addMatches(block.lines, verdicts.filter((v) => v?.choice === block.choice).length, block.choice);
      }
    } else {
      const scores = verdicts
        .filter((v): v is Verdict => v !== null && v.kind !== 'vote')
        .map((v) => v.score);
      const sum = scores.reduce((a, b) => a + b, 0);
      addMatches(
        ctx.regions[callIndex]!.lines,
        kind === 'score' && scores.length > 0 ? sum / scores.length : sum,
        null,
      );
    }
    evaluations.push({
      id: call.requestId,
      requestId: call.requestId,
      seq: call.seq,
      kind,
      prompt: call.prompt,
      outputs,
      targets,
      certainty: targets.some((t) => t.certainty === 'ambiguous') ? 'ambiguous' : 'certain',
    });
  });
  return evaluations;
}
