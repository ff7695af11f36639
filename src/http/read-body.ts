// Reads a request body whole (every HTTP entry point records or parses it before acting on it),
// refusing an oversized one as early as it can: on the declared length before reading anything, or
// as soon as the bytes received pass the limit, so a client cannot make Vigil buffer more than it allows.
import type { IncomingMessage } from 'node:http';
import { VigilError } from '../core/errors.js';

export async function readRequestBody(req: IncomingMessage, maxBytes: number): Promise<Buffer> {
  const declared = Number(req.headers['content-length'] ?? Number.NaN);
  if (Number.isFinite(declared) && declared > maxBytes) {
    throw new VigilError(
      'body_too_large',
      `the request body of ${declared} bytes exceeds the limit of ${maxBytes}`,
      {
        details: { limit: maxBytes },
      },
    );
  }
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    total += chunk.length;
    if (total > maxBytes) {
      throw new VigilError('body_too_large', `the request body exceeds the limit of ${maxBytes} bytes`, {
        details: { limit: maxBytes },
      });
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks, total);
}
