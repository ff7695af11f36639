// Scripted answers to the creative-writing prompts: plans and passages whose paragraphs end with
// the required sentences, and votes that analyse the choices and name one.
import { seededRandom, seedOf } from '../scripted-model.js';

const OPENINGS = [
  'The morning fog rolled over the harbour while the fishermen argued about the weather.',
  "Mara had kept her grandmother's letters in a tin box for eleven years.",
  'Nobody in the village remembered who had planted the oak by the station.',
  'The lab was quiet except for the hum of the freezers and the ticking radiator.',
  'On the first day of the festival the square filled with smoke and music.',
  'The old lighthouse keeper counted ships the way other people counted sheep.',
];
const THEMES = [
  'memory',
  'an unexpected journey',
  'a small act of kindness',
  'a scientific accident',
  'a family secret',
];

function sentencesOf(prompt: string): string[] {
  const marker = 'The end sentence of each paragraph must be: ';
  const start = prompt.indexOf(marker);
  if (start < 0) return [];
  const line = prompt.slice(start + marker.length).split('\n')[0]!;
  return line.match(/[^.!?]+[.!?]+/g)?.map((s) => s.trim()) ?? [line.trim()];
}

function plan(sentences: string[], random: () => number): string {
  const theme = THEMES[Math.floor(random() * THEMES.length)]!;
  const steps = sentences.map(
    (s, i) => `${i + 1}. Paragraph ${i + 1} develops ${theme} through a scene that leads to: "${s}"`,
  );
  return `Plan:\nA story about ${theme}, one scene per paragraph.\n${steps.join('\n')}\n`;
}

function passage(sentences: string[], random: () => number): string {
  const paragraphs = sentences.map((s) => {
    const opening = OPENINGS[Math.floor(random() * OPENINGS.length)]!;
    return `${opening} ${s}`;
  });
  return `Passage:\n${paragraphs.join('\n\n')}`;
}

function vote(prompt: string, random: () => number): string {
  const choices = [...prompt.matchAll(/^Choice (\d+):$/gm)].map((m) => Number(m[1]));
  if (choices.length === 0) return 'There are no choices to compare.\nThe best choice is 1';
  const analysis = choices.map(
    (c) => `Choice ${c} ${random() < 0.5 ? 'is coherent but plain' : 'connects the scenes well'}.`,
  );
  // Votes lean towards the first two choices, as a consistent judge would, with some spread.
  const best =
    random() < 0.7
      ? choices[Math.floor(random() * Math.min(2, choices.length))]!
      : choices[Math.floor(random() * choices.length)]!;
  return `${analysis.join('\n')}\nThe best choice is ${best}`;
}

export function creativeReply(prompt: string, sample: number): string {
  const random = seededRandom(seedOf(prompt, sample));
  if (prompt.startsWith('Given an instruction and several choices')) return vote(prompt, random);
  const sentences = sentencesOf(prompt);
  // A prompt that already ends with a plan asks for the passage that follows it.
  if (/\nPlan:\n[\s\S]*\n$/.test(prompt.slice(prompt.indexOf('Your passage here.')))) {
    return `\n${passage(sentences, random)}`;
  }
  return `${plan(sentences, random)}\n${passage(sentences, random)}`;
}
