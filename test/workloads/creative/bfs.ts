// A TypeScript port of the reference Tree-of-Thoughts BFS for the creative-writing task
// (src/tot/methods/bfs.py with src/tot/tasks/text.py): 2 steps, sample generation with the cot
// prompt (n_generate_sample 5, stops ['\nPassage:\n', null]), vote evaluation (n_evaluate_sample
// 5, "The best choice is {s}"), greedy selection of 1.
import type OpenAI from 'openai';
import { type TrueThought, TrueTreeLog } from '../true-tree.js';
import { COT_PROMPT, VOTE_PROMPT } from './prompts.js';

export interface CreativeOptions {
  readonly hints: boolean;
  readonly nGenerateSample?: number;
  readonly nEvaluateSample?: number;
  readonly nSelectSample?: number;
}

interface Candidate {
  readonly y: string;
  readonly origin: TrueThought | null;
}

const STOPS = ['\nPassage:\n', null] as const;

function cotPromptWrap(x: string, y: string): string {
  return COT_PROMPT.replace('{input}', x) + y;
}

function votePromptWrap(ys: readonly string[]): string {
  let prompt = VOTE_PROMPT;
  ys.forEach((y, i) => {
    prompt += `Choice ${i + 1}:\n${y}\n`;
  });
  return prompt;
}

function voteOutputsUnwrap(outputs: readonly string[], nCandidates: number): number[] {
  const results = new Array<number>(nCandidates).fill(0);
  for (const output of outputs) {
    const match = /.*best choice is .*(\d+).*/s.exec(output);
    if (!match) continue;
    const vote = Number(match[1]) - 1;
    if (vote >= 0 && vote < nCandidates) results[vote]!++;
  }
  return results;
}

export async function solveCreative(client: OpenAI, x: string, options: CreativeOptions) {
  const log = new TrueTreeLog();
  const gpt = async (prompt: string, n: number, stop: string | null, parents: readonly string[]) => {
    const headers =
      options.hints && parents.length > 0
        ? { 'x-vigil-parent': parents.map((p) => log.hintName(p)).join(',') }
        : undefined;
    const res = await client.chat.completions.create(
      {
        model: 'gpt-4',
        messages: [{ role: 'user', content: prompt }],
        temperature: 1.0,
        max_tokens: 1000,
        n,
        ...(stop === null ? {} : { stop }),
      },
      headers ? { headers } : undefined,
    );
    return { ordinal: log.nextCall(res.id), texts: res.choices.map((c) => c.message.content ?? '') };
  };

  let ys: Candidate[] = [{ y: '', origin: null }];
  for (let step = 0; step < 2; step++) {
    const newYs: Candidate[] = [];
    for (const c of ys) {
      const parents = c.origin ? [c.origin.node] : [];
      const { ordinal, texts } = await gpt(
        cotPromptWrap(x, c.y),
        options.nGenerateSample ?? 5,
        STOPS[step]!,
        parents,
      );
      texts.forEach((text, i) => {
        const node = `${ordinal}:${i}`;
        log.addNode(node, c.origin?.node ?? null);
        newYs.push({ y: c.y + text, origin: { node, line: null } });
      });
    }
    const voteCall = await gpt(
      votePromptWrap(newYs.map((c) => c.y)),
      options.nEvaluateSample ?? 5,
      null,
      newYs.map((c) => c.origin!.node),
    );
    for (const c of newYs) log.evaluate(voteCall.ordinal, c.origin!);
    const values = voteOutputsUnwrap(voteCall.texts, newYs.length);
    const ids = newYs.map((_, i) => i);
    const selectIds = [...ids].sort((a, b) => values[b]! - values[a]!).slice(0, options.nSelectSample ?? 1);
    const selected = new Set(selectIds);
    for (const i of ids) log.setStatus(newYs[i]!.origin!, selected.has(i) ? 'kept' : 'pruned');
    ys = selectIds.map((i) => newYs[i]!);
  }
  log.final = ys[0]?.origin ?? null;
  if (log.final) log.outcomePath = log.pathTo(log.final.node);
  return { log, ys: ys.map((c) => c.y) };
}
