// The SCIM filter language (RFC 7644 §3.4.2.2) parsed into a tree: comparisons (eq ne co sw ew gt ge
// lt le), presence (pr), and/or/not with "and" binding tighter, parentheses, and value paths
// (`emails[type eq "work"]`). The input is bounded in length and nesting before anything recursive
// runs on it, and every refusal is a scim_invalid/invalidFilter error that never quotes the input
// (a filter can carry a user name or a pasted secret into logs).
import { VigilError } from '../core/errors.js';

export const MAX_FILTER_LENGTH = 2048;
export const MAX_FILTER_DEPTH = 8;
/** Comparisons in one filter: an identity provider sends one or two; this bounds the evaluation. */
export const MAX_FILTER_TERMS = 32;

export const COMPARE_OPS = ['eq', 'ne', 'co', 'sw', 'ew', 'gt', 'ge', 'lt', 'le'] as const;
export type CompareOp = (typeof COMPARE_OPS)[number];
export type FilterValue = string | number | boolean | null;

/** An attribute path: an optional schema URN, an attribute, an optional sub-attribute; names lower-cased. */
export interface AttrPath {
  readonly attr: string;
  readonly sub: string | null;
}

export type Filter =
  | { readonly op: 'and' | 'or'; readonly left: Filter; readonly right: Filter }
  | { readonly op: 'not'; readonly filter: Filter }
  | { readonly op: 'pr'; readonly path: AttrPath }
  | { readonly op: CompareOp; readonly path: AttrPath; readonly value: FilterValue }
  | { readonly op: 'has'; readonly path: AttrPath; readonly filter: Filter };

type Token =
  | { readonly kind: 'punct'; readonly text: '(' | ')' | '[' | ']'; readonly at: number }
  | { readonly kind: 'string'; readonly value: string; readonly at: number }
  | { readonly kind: 'word'; readonly text: string; readonly at: number };

export function invalidFilter(reason: string): VigilError {
  return new VigilError('scim_invalid', `invalid filter: ${reason}`, {
    details: { scimType: 'invalidFilter' },
  });
}

const WORD = /[A-Za-z0-9._:$+-]/;
const ATTR_NAME = /^[A-Za-z][A-Za-z0-9_$-]*$/;
const NUMBER = /^-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?$/;

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    if (c === ' ' || c === '\t' || c === '\n' || c === '\r') {
      i++;
    } else if (c === '(' || c === ')' || c === '[' || c === ']') {
      tokens.push({ kind: 'punct', text: c, at: i });
      i++;
    } else if (c === '"') {
      const start = i;
      i++;
      let escaped = false;
      while (i < text.length && (escaped || text[i] !== '"')) {
        escaped = !escaped && text[i] === '\\';
        i++;
      }
      if (i >= text.length) throw invalidFilter(`unterminated string at character ${start}`);
      i++;
      let value: unknown;
      try {
        value = JSON.parse(text.slice(start, i));
      } catch {
        throw invalidFilter(`bad escape in the string at character ${start}`);
      }
      tokens.push({ kind: 'string', value: value as string, at: start });
    } else if (WORD.test(c)) {
      const start = i;
      while (i < text.length && WORD.test(text[i]!)) i++;
      tokens.push({ kind: 'word', text: text.slice(start, i), at: start });
    } else {
      throw invalidFilter(`unexpected character at ${i}`);
    }
  }
  return tokens;
}

/** Splits `urn:...:User:name.givenName` or `emails.value` into attribute and sub-attribute. */
export function parseAttrPath(text: string): AttrPath {
  // A schema URN prefix ends at the last colon; what follows is the attribute path.
  const colon = text.lastIndexOf(':');
  if (colon >= 0 && !/^urn:/i.test(text))
    throw invalidFilter('an attribute path has a colon but no urn: prefix');
  const local = colon >= 0 ? text.slice(colon + 1) : text;
  const parts = local.split('.');
  if (parts.length > 2 || !parts.every((p) => ATTR_NAME.test(p)))
    throw invalidFilter('an attribute path is not valid');
  return { attr: parts[0]!.toLowerCase(), sub: parts[1]?.toLowerCase() ?? null };
}

class Parser {
  readonly #tokens: Token[];
  #pos = 0;
  #terms = 0;

  constructor(tokens: Token[]) {
    this.#tokens = tokens;
  }

  parse(): Filter {
    const filter = this.#or(0);
    const rest = this.#tokens[this.#pos];
    if (rest) throw invalidFilter(`unexpected token at character ${rest.at}`);
    return filter;
  }

  #peekWord(): string | null {
    const t = this.#tokens[this.#pos];
    return t?.kind === 'word' ? t.text.toLowerCase() : null;
  }

  #expect(text: ')' | ']'): void {
    const t = this.#tokens[this.#pos];
    if (t?.kind !== 'punct' || t.text !== text) throw invalidFilter(`"${text}" expected`);
    this.#pos++;
  }

  #or(depth: number): Filter {
    let left = this.#and(depth);
    while (this.#peekWord() === 'or') {
      this.#pos++;
      left = { op: 'or', left, right: this.#and(depth) };
    }
    return left;
  }

  #and(depth: number): Filter {
    let left = this.#unary(depth);
    while (this.#peekWord() === 'and') {
      this.#pos++;
      left = { op: 'and', left, right: this.#unary(depth) };
    }
    return left;
  }

  #unary(depth: number): Filter {
    if (depth >= MAX_FILTER_DEPTH) throw invalidFilter(`nested deeper than ${MAX_FILTER_DEPTH}`);
    const t = this.#tokens[this.#pos];
    if (!t) throw invalidFilter('the filter ends where a comparison was expected');
    if (t.kind === 'punct' && t.text === '(') {
      this.#pos++;
      const inner = this.#or(depth + 1);
      this.#expect(')');
      return inner;
    }
    if (t.kind === 'word' && t.text.toLowerCase() === 'not') {
      const next = this.#tokens[this.#pos + 1];
      if (next?.kind === 'punct' && next.text === '(') {
        this.#pos += 2;
        const inner = this.#or(depth + 1);
        this.#expect(')');
        return { op: 'not', filter: inner };
      }
    }
    if (t.kind !== 'word') throw invalidFilter(`an attribute was expected at character ${t.at}`);
    this.#pos++;
    const path = parseAttrPath(t.text);
    const next = this.#tokens[this.#pos];
    if (next?.kind === 'punct' && next.text === '[') {
      if (path.sub !== null) throw invalidFilter('a value filter follows an attribute, not a sub-attribute');
      this.#pos++;
      const inner = this.#or(depth + 1);
      this.#expect(']');
      return { op: 'has', path, filter: inner };
    }
    return this.#comparison(path);
  }

  #comparison(path: AttrPath): Filter {
    if (++this.#terms > MAX_FILTER_TERMS) throw invalidFilter(`more than ${MAX_FILTER_TERMS} comparisons`);
    const opToken = this.#tokens[this.#pos];
    const op = opToken?.kind === 'word' ? opToken.text.toLowerCase() : null;
    if (op === 'pr') {
      this.#pos++;
      return { op: 'pr', path };
    }
    if (op === null || !(COMPARE_OPS as readonly string[]).includes(op))
      throw invalidFilter('a comparison operator (eq, ne, co, sw, ew, gt, ge, lt, le, pr) was expected');
    this.#pos++;
    const v = this.#tokens[this.#pos];
    if (!v || v.kind === 'punct') throw invalidFilter('a value was expected after the operator');
    this.#pos++;
    return { op: op as CompareOp, path, value: literal(v) };
  }
}

function literal(t: Exclude<Token, { kind: 'punct' }>): FilterValue {
  if (t.kind === 'string') return t.value;
  const word = t.text.toLowerCase();
  if (word === 'true') return true;
  if (word === 'false') return false;
  if (word === 'null') return null;
  if (NUMBER.test(t.text)) return Number(t.text);
  throw invalidFilter(`a value at character ${t.at} is not a string, number, boolean or null`);
}

/** Parses a SCIM filter; throws scim_invalid (scimType invalidFilter) for anything malformed or too big. */
export function parseFilter(text: string): Filter {
  if (text.length > MAX_FILTER_LENGTH) throw invalidFilter(`longer than ${MAX_FILTER_LENGTH} characters`);
  const tokens = tokenize(text);
  if (tokens.length === 0) throw invalidFilter('the filter is empty');
  return new Parser(tokens).parse();
}
