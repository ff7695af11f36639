// The text a stream masker holds back, kept twice: as it came (what is emitted) and as the scanner
// reads it, with invisible characters set aside (invisible-characters.ts), each visible character
// knowing where it stands in the raw text. The scan reads the visible text only, so what it costs
// depends on the characters it reads, not on the zero-width spaces between them: until 7 December
// each piece rescanned the raw held text, and 200,000 characters of `-----BEGIN ` followed by a
// letter after every ten zero-width spaces, streamed a character at a time, took 25 s of CPU.
import { visibleReading } from './invisible-characters.js';

export class HeldText {
  /** The held text as it came. */
  raw = '';
  /** The same with invisible characters set aside (the raw text when they are not). */
  visible = '';
  /**
   * `origin[i]`: the offset in `raw` of `visible[i]`; null while the two are the same text (no
   * invisible character held: the usual case, which then costs no array).
   */
  private origin: number[] | null = null;

  constructor(private readonly setsAside: boolean) {}

  append(chunk: string): void {
    const base = this.raw.length;
    this.raw += chunk;
    const reading = this.setsAside ? visibleReading(chunk) : null;
    if (reading === null) {
      if (this.origin !== null) for (let i = 0; i < chunk.length; i++) this.origin.push(base + i);
      this.visible += chunk;
      return;
    }
    if (this.origin === null) this.origin = Array.from({ length: base }, (_, i) => i);
    for (let i = 0; i < reading.text.length; i++) this.origin.push(base + reading.toOriginal(i));
    this.visible += reading.text;
  }

  /** The raw offset of visible offset `k`: its character, or the raw end past the last one. */
  rawOf(k: number): number {
    if (this.origin === null) return k;
    return k >= this.visible.length ? this.raw.length : this.origin[k]!;
  }

  /** The raw end of a span ending at visible offset `k`: just after its last visible character. */
  rawEndOf(k: number): number {
    if (this.origin === null) return k;
    if (k <= 0) return 0;
    return this.origin[Math.min(k, this.visible.length) - 1]! + 1;
  }

  /** Drops the first `k` visible characters and the raw text before the next one. */
  release(k: number): void {
    const rawCut = this.rawOf(k);
    this.raw = this.raw.slice(rawCut);
    this.visible = this.visible.slice(k);
    if (this.origin === null) return;
    if (this.visible.length === this.raw.length) {
      this.origin = null;
      return;
    }
    const rest = this.origin.slice(k);
    for (let i = 0; i < rest.length; i++) rest[i]! -= rawCut;
    this.origin = rest;
  }
}
