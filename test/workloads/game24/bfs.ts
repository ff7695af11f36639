// A TypeScript port of the reference Tree-of-Thoughts BFS (princeton-nlp/tree-of-thought-llm,
// src/tot/methods/bfs.py with src/tot/tasks/game24.py) for Game of 24: propose generation, value
// evaluation (n_evaluate_sample 3, values cached by prompt), greedy selection of 5, 4 steps.
// Each call goes through the official openai client; the run logs its own tree as it goes.
import type OpenAI from 'openai';
import { lineOf, type TrueThought, TrueTreeLog } from '../true-tree.js';
import { COT_PROMPT, format, PROPOSE_PROMPT, VALUE_LAST_STEP_PROMPT, VALUE_PROMPT } from './prompts.js';

export interface Game24Options {
  readonly hints: boolean;
  readonly nSelectSample?: number;
  readonly nEvaluateSample?: number;
  readonly steps?: number;
  readonly model?: string;
}

/** A partial output y and the thought its last line came from. */
interface Candidate {
  readonly y: string;
  readonly origin: TrueThought | null;
}

function getCurrentNumbers(y: string): string {
  const lastLine = y.trim().split('\n').at(-1)!;
  return lastLine.split('left: ').at(-1)!.split(')')[0]!;
}

function proposePromptWrap(x: string, y: string): string {
  const currentNumbers = getCurrentNumbers(y ? y : x);
  if (currentNumbers === '24') return format(COT_PROMPT, { input: x }) + 'Steps:' + y;
  return format(PROPOSE_PROMPT, { input: currentNumbers });
}

function valuePromptWrap(x: string, y: string): string {
  const lastLine = y.trim().split('\n').at(-1)!;
  if (!lastLine.includes('left: ')) {
    const ans = lastLine.toLowerCase().replace('answer: ', '');
    return format(VALUE_LAST_STEP_PROMPT, { input: x, answer: ans });
  }
  return format(VALUE_PROMPT, { input: getCurrentNumbers(y) });
}

function valueOutputsUnwrap(y: string, outputs: readonly string[]): number {
  if (y.trim().split('\n').length === 4 && !y.toLowerCase().includes('answer')) return 0;
  const names = outputs.map((o) => o.split('\n').at(-1)!);
  const valueMap: Record<string, number> = { impossible: 0.001, likely: 1, sure: 20 };
  return Object.entries(valueMap).reduce(
    (sum, [name, v]) => sum + v * names.filter((n) => n === name).length,
    0,
  );
}

export interface Game24Run {
  readonly log: TrueTreeLog;
  readonly ys: string[];
}

export async function solveGame24(client: OpenAI, x: string, options: Game24Options): Promise<Game24Run> {
  const log = new TrueTreeLog();
  const nSelect = options.nSelectSample ?? 5;
  const nEvaluate = options.nEvaluateSample ?? 3;
  const valueCache = new Map<string, { value: number; ordinal: number }>();

  const gpt = async (prompt: string, n: number, parents: readonly TrueThought[]) => {
    const headers =
      options.hints && parents.length > 0
        ? { 'x-vigil-parent': parents.map((p) => log.hintName(p.node)).join(',') }
        : undefined;
    const res = await client.chat.completions.create(
      {
        model: options.model ?? 'gpt-4',
        messages: [{ role: 'user', content: prompt }],
        temperature: 0.7,
        max_tokens: 1000,
        n,
      },
      headers ? { headers } : undefined,
    );
    const ordinal = log.nextCall(res.id);
    return { ordinal, texts: res.choices.map((c) => c.message.content ?? '') };
  };

  const getProposals = async (c: Candidate): Promise<Candidate[]> => {
    const { ordinal, texts } = await gpt(proposePromptWrap(x, c.y), 1, c.origin ? [c.origin] : []);
    const node = `${ordinal}:0`;
    log.addNode(node, c.origin?.node ?? null);
    return texts[0]!
      .split('\n')
      .map((p, i) => ({ y: c.y + p + '\n', origin: { node, line: lineOf(texts[0]!, i) } }));
  };

  const getValue = async (c: Candidate): Promise<number> => {
    const prompt = valuePromptWrap(x, c.y);
    const cached = valueCache.get(prompt);
    if (cached) {
      log.evaluate(cached.ordinal, c.origin!);
      return cached.value;
    }
    const { ordinal, texts } = await gpt(prompt, nEvaluate, [c.origin!]);
    const value = valueOutputsUnwrap(c.y, texts);
    valueCache.set(prompt, { value, ordinal });
    log.evaluate(ordinal, c.origin!);
    return value;
  };

  let ys: Candidate[] = [{ y: '', origin: null }];
  for (let step = 0; step < (options.steps ?? 4); step++) {
    const newYs: Candidate[] = [];
    for (const c of ys) newYs.push(...(await getProposals(c)));
    const values: number[] = [];
    const local = new Set<string>();
    for (const c of newYs) {
      if (local.has(c.y)) values.push(0);
      else {
        values.push(await getValue(c));
        local.add(c.y);
      }
    }
    const ids = newYs.map((_, i) => i);
    const selectIds = [...ids].sort((a, b) => values[b]! - values[a]!).slice(0, nSelect);
    const selected = new Set(selectIds);
    for (const i of ids) log.setStatus(newYs[i]!.origin!, selected.has(i) ? 'kept' : 'pruned');
    ys = selectIds.map((i) => newYs[i]!);
  }
  log.final = ys[0]?.origin ?? null;
  if (log.final) log.outcomePath = log.pathTo(log.final.node);
  return { log, ys: ys.map((c) => c.y) };
}
