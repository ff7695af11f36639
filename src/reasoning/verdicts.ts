// Reading evaluation replies. The scores follow the reference Tree-of-Thoughts code so that a
// rebuilt ranking matches the one the run itself used: value words sum as sure 20, likely 1,
// impossible 0.001; a vote counts 1 for the choice it names; a numeric score counts as itself.
import type { EvaluationKind } from './types.js';

export const VALUE_WORD_SCORES = { sure: 20, likely: 1, impossible: 0.001 } as const;
type ValueWord = keyof typeof VALUE_WORD_SCORES;

export interface Verdict {
  readonly kind: EvaluationKind;
  /** `sure`, `choice 2`, `7`. */
  readonly label: string;
  /** For a vote: the 1-based choice it names. */
  readonly choice: number | null;
  readonly score: number;
}

const VOTE = /best choice is\D*?(\d+)/gi;
const SCORE_PHRASE = /score is\s*(\d+(?:\.\d+)?)/gi;
const BARE_SCORE = /^(\d+(?:\.\d+)?)\s*(?:\/\s*10)?\.?$/;

function lastLine(text: string): string {
  const lines = text.split('\n');
  for (let i = lines.length - 1; i >= 0; i--) {
    const line = lines[i]!.trim();
    if (line) return line;
  }
  return '';
}

function lastMatch(re: RegExp, text: string): RegExpExecArray | null {
  let found: RegExpExecArray | null = null;
  re.lastIndex = 0;
  for (let m = re.exec(text); m; m = re.exec(text)) found = m;
  return found;
}

export function parseVerdict(text: string): Verdict | null {
  const vote = lastMatch(VOTE, text);
  if (vote) {
    const choice = Number(vote[1]);
    return { kind: 'vote', label: `choice ${choice}`, choice, score: 1 };
  }
  const last = lastLine(text)
    .toLowerCase()
    .replace(/[.!*"']+$/g, '')
    .replace(/^[*"']+/, '');
  if (last in VALUE_WORD_SCORES) {
    return { kind: 'value', label: last, choice: null, score: VALUE_WORD_SCORES[last as ValueWord] };
  }
  const phrase = lastMatch(SCORE_PHRASE, text);
  const bare = BARE_SCORE.exec(last);
  const number = phrase?.[1] ?? bare?.[1];
  if (number !== undefined) return { kind: 'score', label: number, choice: null, score: Number(number) };
  return null;
}

/** Words by which evaluation prompts ask for a judgement rather than a next step. */
const EVALUATION_CUE =
  /\b(evaluate|evaluation|judge|judgement|judgment|vote|best choice|most promising|score|rate|rating)\b|sure\/likely|^choice \d+:/im;

export function hasEvaluationCue(prompt: string): boolean {
  return EVALUATION_CUE.test(prompt);
}

/**
 * A call is an evaluation when its prompt asks for a judgement and most of its replies are one.
 * Both are needed: an agent's last line may well be "Sure", and a planning prompt may say "evaluate".
 */
export function classifyEvaluation(prompt: string, replies: readonly string[]): (Verdict | null)[] | null {
  if (replies.length === 0 || !hasEvaluationCue(prompt)) return null;
  const verdicts = replies.map(parseVerdict);
  const found = verdicts.filter((v): v is Verdict => v !== null);
  if (found.length * 2 < replies.length || found.length === 0) return null;
  return verdicts;
}
