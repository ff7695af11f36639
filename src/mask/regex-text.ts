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
  const render = (node: Node): string => {
    const branches = [...node.next].map(([ch, child]) => escapeRegex(ch) + render(child));
    if (branches.length === 0) return '';
    const body = branches.length === 1 ? branches[0]! : `(?:${branches.join('|')})`;
    return node.end ? `(?:${body})?` : body;
  };
  return render(root);
}
