// Scripted answers to the Game of 24 prompts, as a capable model would give them: real arithmetic
// proposals, value judgements that follow whether 24 is reachable (with some noise, as sampling at
// temperature 0.7 has), and answers built from the trajectory in the prompt.
import { seededRandom, seedOf } from '../scripted-model.js';
import { canReach24, evaluate, expressionOf, formatStep, nextSteps, parseNumbers } from './arith.js';

function lastMatch(prompt: string, re: RegExp): RegExpExecArray | null {
  let found: RegExpExecArray | null = null;
  for (let m = re.exec(prompt); m; m = re.exec(prompt)) found = m;
  return found;
}

function propose(numbers: number[], random: () => number): string {
  if (numbers.length <= 1) return `Only ${numbers.join(' ')} is left, so there is nothing to combine.`;
  const steps = nextSteps(numbers);
  const good = steps.filter((s) => canReach24(s.left));
  const rest = steps.filter((s) => !canReach24(s.left)).sort(() => random() - 0.5);
  // A good model lists a promising move or two among ordinary ones.
  const picked = [...good.sort(() => random() - 0.5).slice(0, 2), ...rest]
    .slice(0, 8)
    .sort(() => random() - 0.5);
  // A model does not list the same step twice (4 4 6 8 has two ways to write 4 + 6).
  return [...new Set(picked.map(formatStep))].join('\n');
}

function value(numbers: number[], random: () => number): string {
  const shown = numbers.join(' ');
  const total = numbers.reduce((a, b) => a + b, 0);
  if (numbers.length === 1) return numbers[0] === 24 ? '24 = 24\nsure' : `${shown} is not 24\nimpossible`;
  const work = `${numbers.join(' + ')} = ${total}`;
  if (canReach24(numbers))
    return random() < 0.8
      ? `${work}\nsure`
      : `${work}\nI cannot obtain 24 now, but numbers are within a reasonable range\nlikely`;
  if (total >= 12 && total <= 60 && random() < 0.5) {
    return `${work}\nI cannot obtain 24 now, but numbers are within a reasonable range\nlikely`;
  }
  return `${work}\n${total > 60 ? `${shown} are all too big` : `${shown} cannot make 24`}\nimpossible`;
}

function answer(prompt: string): string {
  const input = lastMatch(prompt, /^Input: (.*)$/gm);
  const steps = prompt.slice(prompt.lastIndexOf('Steps:') + 'Steps:'.length).split('\n');
  const expr = input ? expressionOf(parseNumbers(input[1]!), steps) : null;
  return expr ? `Answer: ${expr} = 24` : 'Answer: no solution on this path';
}

function judge(prompt: string): string {
  const input = lastMatch(prompt, /^Input: (.*)$/gm);
  const given = lastMatch(prompt, /^Answer: (.*)$/gm);
  if (!input || !given) return 'impossible';
  const [lhs] = given[1]!.split('=');
  const used = (lhs!.match(/\d+/g) ?? []).map(Number).sort((a, b) => a - b);
  const expected = parseNumbers(input[1]!).sort((a, b) => a - b);
  const ok = used.join(' ') === expected.join(' ') && evaluate(lhs!.trim()) === 24;
  return ok ? 'sure' : 'impossible';
}

/** The reply to one Game of 24 prompt; `sample` varies replies to the same prompt. */
export function game24Reply(prompt: string, sample: number): string {
  const random = seededRandom(seedOf(prompt, sample));
  if (prompt.includes('give a judgement (sure/impossible)')) return judge(prompt);
  if (prompt.startsWith('Evaluate if given numbers can reach 24')) {
    const lines = prompt.trimEnd().split('\n');
    return value(parseNumbers(lines.at(-1)!), random);
  }
  if (prompt.includes('Each step, you are only allowed to choose two')) return answer(prompt);
  const input = lastMatch(prompt, /^Input: (.*)$/gm);
  return propose(parseNumbers(input?.[1] ?? ''), random);
}
