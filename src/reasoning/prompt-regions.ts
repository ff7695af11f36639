// The part of each prompt that varies. Prompts built from one template (ToT's propose and value
// prompts) share a few-shot head whose worked examples look exactly like real thoughts; matching
// inside that head would link every call to whichever thought happens to equal an example.
// Prompts are grouped by their first line; the head is the run of whole lines all distinct prompts
// of a group share. A lone prompt has no known head and is searched whole, from the end.

export interface PromptRegion {
  /** The lines after the shared head. */
  readonly lines: readonly string[];
  /** Character offset in the prompt where the region starts. */
  readonly offset: number;
}

interface Group {
  readonly first: string;
  /** Length in characters of the shared head (only whole lines, so it ends after a newline). */
  head: number;
  distinct: number;
}

function firstLineOf(prompt: string): string {
  const start = prompt.search(/\S/);
  if (start < 0) return '';
  const end = prompt.indexOf('\n', start);
  return prompt
    .slice(start, end < 0 ? undefined : end)
    .trim()
    .slice(0, 200);
}

export function promptRegions(prompts: readonly string[]): PromptRegion[] {
  const groupOf: Group[] = [];
  const groups = new Map<string, Group>();
  for (const prompt of prompts) {
    const key = firstLineOf(prompt);
    let group = groups.get(key);
    if (!group) {
      group = { first: prompt, head: prompt.length, distinct: 1 };
      groups.set(key, group);
    } else if (prompt !== group.first) {
      group.distinct++;
      const limit = Math.min(group.head, prompt.length);
      let common = 0;
      while (common < limit && group.first.charCodeAt(common) === prompt.charCodeAt(common)) common++;
      // Snap back to the end of the last whole shared line.
      group.head =
        common === group.first.length && common === prompt.length
          ? common
          : prompt.lastIndexOf('\n', common - 1) + 1;
    }
    groupOf.push(group);
  }
  return prompts.map((prompt, i) => {
    const group = groupOf[i]!;
    let offset = group.distinct < 2 ? 0 : Math.min(group.head, prompt.length);
    // Keep at least the last line: a prompt equal to the head of a longer one still varies there.
    const lastBreak = prompt.lastIndexOf('\n', prompt.length - 2);
    if (offset > 0 && offset > lastBreak + 1) offset = lastBreak + 1;
    return { lines: prompt.slice(offset).split('\n'), offset };
  });
}
