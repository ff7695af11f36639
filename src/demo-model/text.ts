// Tokens, hashes and ids of the stand-in model. A "token" here is a word with the whitespace after
// it: crude, but deterministic, and the pieces join back to the exact text.
import { createHash, randomBytes } from 'node:crypto';

const TOKEN_PATTERN = /\S+\s*|\s+/g;

/** Splits text into tokens whose concatenation is the text. */
export function splitTokens(text: string): string[] {
  return text.match(TOKEN_PATTERN) ?? [];
}

export function countTokens(text: string): number {
  return splitTokens(text).length;
}

/** Groups tokens into stream chunks of `perChunk` tokens each (the last may be shorter). */
export function chunkText(text: string, perChunk: number): string[] {
  const tokens = splitTokens(text);
  const size = Math.max(1, Math.floor(perChunk));
  const chunks: string[] = [];
  for (let i = 0; i < tokens.length; i += size) chunks.push(tokens.slice(i, i + size).join(''));
  return chunks;
}

/** Groups given tokens into stream chunks of `perChunk` tokens each (the last may be shorter). */
export function chunkTokens(tokens: readonly string[], perChunk: number): string[][] {
  const size = Math.max(1, Math.floor(perChunk));
  const chunks: string[][] = [];
  for (let i = 0; i < tokens.length; i += size) chunks.push(tokens.slice(i, i + size));
  return chunks;
}

/** Splits a JSON string into pieces of about `size` characters, as providers stream tool arguments. */
export function chunkChars(text: string, size: number): string[] {
  const pieces: string[] = [];
  for (let i = 0; i < text.length; i += size) pieces.push(text.slice(i, i + size));
  return pieces;
}

/** SHA-256 hex of the parts joined with NUL: stable across runs and machines. */
export function stableHash(...parts: readonly (string | number)[]): string {
  return createHash('sha256').update(parts.join('\u0000')).digest('hex');
}

/** A deterministic provider-style id (`call_…`, `toolu_…`) for things that must compare equal. */
export function stableId(prefix: string, ...parts: readonly (string | number)[]): string {
  return `${prefix}${stableHash(...parts).slice(0, 24)}`;
}

const ID_ALPHABETS = {
  base62: 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789',
  hex: '0123456789abcdef',
} as const;

/**
 * A random id for things that differ per call (responses, request ids), shaped as the provider's
 * are, so what records them sees what it would see in production: OpenAI's `chatcmpl-` and 29
 * letters and digits, `resp_` and 48 hex digits, `req_` and 32; Anthropic's `msg_01` and 22.
 */
export function randomId(
  prefix: string,
  length = 29,
  alphabet: keyof typeof ID_ALPHABETS = 'base62',
): string {
  const chars = ID_ALPHABETS[alphabet];
  // Bytes at or above the last whole multiple of the alphabet's size are dropped, so every character is equally likely.
  const limit = 256 - (256 % chars.length);
  let body = '';
  while (body.length < length) {
    for (const b of randomBytes(length * 2))
      if (b < limit && body.length < length) body += chars[b % chars.length];
  }
  return `${prefix}${body}`;
}

/** The first `words` words of a text, whitespace collapsed. */
export function excerpt(text: string, words: number): string {
  const parts = text.trim().split(/\s+/).filter(Boolean);
  const head = parts.slice(0, words).join(' ');
  return parts.length > words ? `${head} …` : head;
}
