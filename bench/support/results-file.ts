// bench/RESULTS.md holds one section per benchmark; a run replaces its own section only.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';

const FILE = 'bench/RESULTS.md';
const HEADER =
  '# Benchmark results\n\nEach section is written by its benchmark; the command that produced it is in the section.\n';

export function writeResultsSection(heading: string, body: string): void {
  const text = existsSync(FILE) ? readFileSync(FILE, 'utf8') : HEADER;
  const section = `## ${heading}\n\n${body.trim()}\n`;
  const pattern = new RegExp(`## ${heading.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\n[\\s\\S]*?(?=\\n## |$)`);
  const next = pattern.test(text)
    ? text.replace(pattern, section.trimEnd())
    : `${text.trimEnd()}\n\n${section}`;
  writeFileSync(FILE, `${next.trimEnd()}\n`);
}
