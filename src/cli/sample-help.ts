// The help of a `vigil policy test` option that several protocol modules share (`--sql` for
// PostgreSQL and MySQL). Each module describes its own sample, "a statement on a MySQL connection
// (a db.query)"; joined as they are, the help read the same thing twice. Descriptions that end
// with the same parenthesis (by convention the event type the sample builds) are told once, their
// differing middles joined: "a statement on a PostgreSQL or MySQL connection (a db.query)".

const TRAILING_PARENTHESIS = /\([^()]*\)$/;

/** One help text for the descriptions several modules give the same option. */
export function mergedDescription(descriptions: readonly string[]): string {
  const distinct = [...new Set(descriptions.map((d) => d.trim()))];
  const groups = new Map<string, string[]>();
  for (const description of distinct) {
    const ending = TRAILING_PARENTHESIS.exec(description)?.[0] ?? description;
    const group = groups.get(ending);
    if (group) group.push(description);
    else groups.set(ending, [description]);
  }
  return [...groups.values()].map(mergeGroup).join('; or ');
}

/** Descriptions sharing their ending, as one: the common words once, the differing ones joined. */
function mergeGroup(descriptions: readonly string[]): string {
  if (descriptions.length === 1) return descriptions[0]!;
  const words = descriptions.map((d) => d.split(/\s+/));
  const shortest = Math.min(...words.map((w) => w.length));
  let head = 0;
  while (head < shortest && words.every((w) => w[head] === words[0]![head])) head++;
  let tail = 0;
  while (
    tail < shortest - head &&
    words.every((w) => w[w.length - 1 - tail] === words[0]![words[0]!.length - 1 - tail])
  )
    tail++;
  const middles = words.map((w) => w.slice(head, w.length - tail).join(' '));
  // Nothing shared before the difference, or one is the other with words added: no clear merge.
  if (head === 0 || middles.some((m) => m === '')) return descriptions.join('; or ');
  const first = words[0]!;
  return [...first.slice(0, head), alternatives(middles), ...first.slice(first.length - tail)].join(' ');
}

/** "A or B", "A, B or C". */
function alternatives(items: readonly string[]): string {
  return items.length <= 2 ? items.join(' or ') : `${items.slice(0, -1).join(', ')} or ${items.at(-1)}`;
}
