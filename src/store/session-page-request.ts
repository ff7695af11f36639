// The defaults and bounds of a Store.readSessionPage request, shared by every backend.
import { VigilError } from '../core/errors.js';
import type { SessionPageRequest } from '../core/ports.js';

/** The request with its defaults, or a `usage` error: a page that cannot move on is refused. */
export function checkedPageRequest(request: SessionPageRequest): {
  afterSeq: number;
  limit: number;
  maxPayloadBytes: number | null;
} {
  const afterSeq = request.afterSeq ?? -1;
  const max = request.maxPayloadBytes;
  if (!Number.isSafeInteger(afterSeq) || afterSeq < -1)
    throw new VigilError('usage', 'afterSeq must be an integer of at least -1');
  if (!Number.isSafeInteger(request.limit) || request.limit < 1)
    throw new VigilError('usage', 'limit must be a positive integer');
  if (max !== undefined && (!Number.isSafeInteger(max) || max < 1))
    throw new VigilError('usage', 'maxPayloadBytes must be a positive integer');
  return { afterSeq, limit: request.limit, maxPayloadBytes: max ?? null };
}
