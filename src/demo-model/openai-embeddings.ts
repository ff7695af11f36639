// POST /v1/embeddings: deterministic unit vectors derived from each input's SHA-256, as floats or
// as base64 little-endian float32 (what the openai SDK asks for by default).
import { applyInjectedFailure, type Exchange } from './exchange.js';
import { sendJson } from './http-io.js';
import { requireModel } from './prompt-fields.js';
import { countTokens, stableHash } from './text.js';
import { badRequest } from './wire-errors.js';

export const DEFAULT_EMBEDDING_DIMENSIONS = 64;

export async function handleEmbeddings(ex: Exchange): Promise<void> {
  const model = requireModel(ex.body);
  const inputs = embeddingInputs(ex.body.input);
  const dims = ex.body.dimensions ?? DEFAULT_EMBEDDING_DIMENSIONS;
  if (typeof dims !== 'number' || !Number.isInteger(dims) || dims < 1 || dims > 4096) {
    throw badRequest(`Invalid value for 'dimensions': expected an integer from 1 to 4096.`, 'dimensions');
  }
  const base64 = ex.body.encoding_format === 'base64';
  const tokens = inputs.reduce((sum, text) => sum + countTokens(text), 0);
  const body = {
    object: 'list',
    data: inputs.map((text, index) => {
      const vector = embed(model, text, dims);
      return {
        object: 'embedding',
        index,
        embedding: base64
          ? Buffer.from(vector.buffer, vector.byteOffset, vector.byteLength).toString('base64')
          : [...vector],
      };
    }),
    model,
    usage: { prompt_tokens: tokens, total_tokens: tokens },
  };
  if (await applyInjectedFailure(ex, model, body)) sendJson(ex.res, 200, body, ex.responseHeaders);
}

function embeddingInputs(input: unknown): string[] {
  if (typeof input === 'string') return [input];
  if (Array.isArray(input) && input.length > 0) {
    if (input.every((x) => typeof x === 'number')) return [input.join(' ')];
    return input.map((x) => (typeof x === 'string' ? x : Array.isArray(x) ? x.join(' ') : String(x)));
  }
  if (input === undefined)
    throw badRequest(`Missing required parameter: 'input'.`, 'input', 'missing_required_parameter');
  throw badRequest(`Invalid value for 'input': expected a string or an array.`, 'input');
}

/** A unit vector: bytes of chained SHA-256 mapped to [-1, 1], then normalised. */
export function embed(model: string, text: string, dims: number): Float32Array {
  const raw = new Float32Array(dims);
  let block = '';
  for (let i = 0; i < dims; i++) {
    if (i % 32 === 0) block = stableHash(model, text, i / 32);
    raw[i] = Number.parseInt(block.slice((i % 32) * 2, (i % 32) * 2 + 2), 16) / 127.5 - 1;
  }
  const norm = Math.hypot(...raw) || 1;
  for (let i = 0; i < dims; i++) raw[i] = raw[i]! / norm;
  return raw;
}
