// Helpers for writing rule patterns. Node 20 has no inline `(?i:...)`, so case-insensitive keywords
// are spelled as character classes, leaving case-sensitive token prefixes (AKIA, ghp_) exact.

export function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&');
}

/** `password` → `[Pp][Aa][Ss][Ss][Ww][Oo][Rr][Dd]`; other characters are escaped. */
export function ci(word: string): string {
  let out = '';
  for (const ch of word) {
    const lower = ch.toLowerCase();
    const upper = ch.toUpperCase();
    out += lower === upper ? escapeRegex(ch) : `[${upper}${lower}]`;
  }
  return out;
}

/**
 * One regex source matching any of the literals, factored as a trie (`A(?:KIA|SIA)`): V8 tries
 * alternatives one by one, so shared prefixes are then read once per offset.
 */
export function literalTrie(literals: readonly string[], caseInsensitive = false): string {
  interface Node {
    end: boolean;
    next: Map<string, Node>;
  }
  const root: Node = { end: false, next: new Map() };
  for (const literal of literals) {
    let node = root;
    for (const ch of caseInsensitive ? literal.toLowerCase() : literal) {
      let child = node.next.get(ch);
      if (!child) {
        child = { end: false, next: new Map() };
        node.next.set(ch, child);
      }
      node = child;
    }
    node.end = true;
  }
  const render = (start: Node): string => {
    // A run of single-child nodes is plain text: read it in a loop, so a long literal (a known secret
    // such as a PEM key, kilobytes long) costs recursion only at its branch points, not per character.
    let run = '';
    let node = start;
    while (!node.end && node.next.size === 1) {
      const [ch, child] = node.next.entries().next().value as [string, Node];
      run += escapeRegex(ch);
      node = child;
    }
    const branches = [...node.next].map(([ch, child]) => escapeRegex(ch) + render(child));
    if (branches.length === 0) return run;
    const body = branches.length === 1 ? branches[0]! : `(?:${branches.join('|')})`;
    return run + (node.end ? `(?:${body})?` : body);
  };
  return render(root);
}
