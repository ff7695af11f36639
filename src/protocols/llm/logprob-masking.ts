// Logprobs spell a model's answer again, token by token: chat and Responses `logprobs` as lists of
// `{token, bytes, top_logprobs}`, a text completion's as `tokens` beside `top_logprobs` maps. A key
// the model wrote is masked in the text, but as tokens (`sk`, `-proj`, `-Zq`, `8X`, …) each piece
// is too short for any detector, so the ledger and a masked answer kept it in clear. Here every list
// of tokens is read as the text it spells: where the masker changes that text, the tokens it covers
// take the masked text instead (the first of them all of it, the rest nothing), their bytes follow,
// and their alternatives are dropped. Ranges are found by the longest common prefix and suffix of
// the text and its masked form, so several secrets in one list mask the tokens between them too:
// more than needed, never less.

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * A copy of `body` whose logprobs do not spell what `maskText` masks; `body` itself when nothing
 * needed masking. Walks without recursion: the body comes from the upstream.
 */
export function maskLogprobs<T>(body: T, maskText: (text: string) => string): T {
  if (typeof body !== 'object' || body === null) return body;
  // Read first, copied only when a list needs masking: most answers have no logprobs, and an
  // embedding's vectors are large.
  if (!walk(body, maskText, false)) return body;
  const copy = structuredClone(body);
  walk(copy, maskText, true);
  return copy;
}

/** Finds every list of tokens in `root`; true when one needs masking, which it does when `mutate`. */
function walk(root: unknown, maskText: (text: string) => string, mutate: boolean): boolean {
  let changed = false;
  const stack: unknown[] = [root];
  while (stack.length > 0) {
    const value = stack.pop();
    if (Array.isArray(value)) {
      if (value.length > 0 && value.every((e) => isObj(e) && typeof e.token === 'string')) {
        changed = maskTokenList(value as Obj[], maskText, mutate) || changed;
      }
      for (const item of value) if (typeof item === 'object' && item !== null) stack.push(item);
      continue;
    }
    if (!isObj(value)) continue;
    if (Array.isArray(value.tokens) && value.tokens.every((t) => typeof t === 'string')) {
      changed = maskCompletionTokens(value, maskText, mutate) || changed;
    }
    for (const v of Object.values(value)) if (typeof v === 'object' && v !== null) stack.push(v);
  }
  return changed;
}

/** A chat or Responses list of `{token, bytes, top_logprobs}`; true when it needs masking. */
function maskTokenList(list: Obj[], maskText: (text: string) => string, mutate: boolean): boolean {
  const masked = maskedTokens(
    list.map((e) => e.token as string),
    maskText,
  );
  if (masked === null) return false;
  if (!mutate) return true;
  list.forEach((entry, i) => {
    if (masked[i] === entry.token) return;
    entry.token = masked[i];
    if ('bytes' in entry) entry.bytes = [...Buffer.from(masked[i]!)];
    if (Array.isArray(entry.top_logprobs)) entry.top_logprobs = [];
  });
  return true;
}

/** A text completion's `{tokens, top_logprobs}`; true when it needs masking. */
function maskCompletionTokens(logprobs: Obj, maskText: (text: string) => string, mutate: boolean): boolean {
  const tokens = logprobs.tokens as string[];
  const masked = maskedTokens(tokens, maskText);
  if (masked === null) return false;
  if (!mutate) return true;
  const top = Array.isArray(logprobs.top_logprobs) ? logprobs.top_logprobs : null;
  masked.forEach((token, i) => {
    if (token === tokens[i]) return;
    if (top && i < top.length) top[i] = {};
  });
  logprobs.tokens = masked;
  return true;
}

/** The tokens with the masked text in place of what the masker changed; null when it changed nothing. */
export function maskedTokens(tokens: readonly string[], maskText: (text: string) => string): string[] | null {
  const text = tokens.join('');
  const masked = maskText(text);
  if (masked === text) return null;
  let prefix = 0;
  while (prefix < text.length && prefix < masked.length && text[prefix] === masked[prefix]) prefix++;
  let suffix = 0;
  while (
    suffix < text.length - prefix &&
    suffix < masked.length - prefix &&
    text[text.length - 1 - suffix] === masked[masked.length - 1 - suffix]
  ) {
    suffix++;
  }
  const end = text.length - suffix;
  const replacement = masked.slice(prefix, masked.length - suffix);
  const out: string[] = [];
  let at = 0;
  let placed = false;
  for (const token of tokens) {
    const from = at;
    const to = at + token.length;
    at = to;
    // A token wholly before or after the changed range stays; an empty token there too.
    if (to <= prefix || from >= end) {
      out.push(token);
      continue;
    }
    let next = from < prefix ? token.slice(0, prefix - from) : '';
    if (!placed) {
      next += replacement;
      placed = true;
    }
    if (to > end) next += token.slice(end - from);
    out.push(next);
  }
  // The masker only inserted text (nothing of the original is covered): it goes where it was put.
  if (!placed) return null;
  return out;
}
