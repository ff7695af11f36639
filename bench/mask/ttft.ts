// What live masking adds to the time to the first text a client sees. A model's stream is a
// sequence of deltas a fixed gap apart; the masker releases the first text when no detector could
// still match across it, so the added time is its CPU time plus, when the first delta ends inside
// a word (a token run still open), the wait for the delta that closes it.
import type { Masker } from '../../src/mask/index.js';

/** Replies as models split them (OpenAI/Anthropic style: a leading space joins the next word). */
const REPLIES = [
  ['Hello', '!', ' How', ' can', ' I', ' help', ' you', ' today', '?'],
  ['Sure', '.', ' Here', ' is', ' the', ' query', ':', '\n\n', '```sql'],
  ['The', ' error', ' means', ' the', ' connection', ' pool', ' is', ' exhausted', '.'],
  ['I', "'m", ' not', ' sure', ' what', ' you', ' mean', '.'],
  ['To', ' fix', ' this', ',', ' run', ' `npm', ' install', '`', '.'],
  ['Yes', ',', ' that', ' works', '.'],
  ['Here', "'s", ' a', ' summary', ':', '\n', '-', ' three', ' bullets'],
  ['1', '.', ' Open', ' the', ' settings', '.', '\n', '2', '.'],
];

export function addedTimeToFirstText(
  masker: Masker,
  gapMs = 20,
): { medianMs: number; cpuMedianMs: number; heldShare: number; gapMs: number; streams: number } {
  const added: number[] = [];
  const cpu: number[] = [];
  let held = 0;
  for (let round = 0; round < 50; round++) {
    for (const reply of REPLIES) {
      // The masker a mask_responses client's stream runs: the text rules and secret-named fields.
      const s = masker.createValueStreamMasker('llm');
      let cpuMs = 0;
      let firstAt = -1;
      for (let i = 0; i < reply.length && firstAt < 0; i++) {
        const t0 = process.hrtime.bigint();
        const out = s.push(reply[i]!);
        cpuMs += Number(process.hrtime.bigint() - t0) / 1e6;
        if (out.length > 0) firstAt = i;
      }
      if (firstAt < 0) firstAt = reply.length; // released at the end of the stream
      if (firstAt > 0) held++;
      added.push(firstAt * gapMs + cpuMs);
      cpu.push(cpuMs);
    }
  }
  const med = (v: number[]) => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)]!;
  return {
    medianMs: med(added),
    cpuMedianMs: med(cpu),
    heldShare: Math.round((held / added.length) * 100),
    gapMs,
    streams: added.length,
  };
}
