// The body of a tlog-witness `add-checkpoint` request (https://c2sp.org/tlog-witness): an
// `old <size>` line, up to 63 base64 consistency-proof lines, an empty line, then the checkpoint
// as a signed note. Pure: parsing and encoding only.

export interface AddCheckpointRequest {
  readonly oldSize: number;
  readonly proof: readonly Buffer[];
  /** The checkpoint's signed note, as sent. */
  readonly note: string;
}

/** The spec's limit on proof lines. */
export const MAX_PROOF_LINES = 63;
/** Far above any checkpoint with a few dozen signatures; a request beyond it is refused unread. */
export const MAX_REQUEST_BYTES = 64 * 1024;

const SIZE = /^(0|[1-9][0-9]*)$/;

export function encodeAddCheckpoint(request: AddCheckpointRequest): string {
  const proof = request.proof.map((p) => `${p.toString('base64')}\n`).join('');
  return `old ${request.oldSize}\n${proof}\n${request.note}`;
}

/** Parses a request body; null when it is malformed (the witness answers 400). */
export function parseAddCheckpoint(body: string): AddCheckpointRequest | null {
  const firstBreak = body.indexOf('\n');
  if (firstBreak < 0 || !body.startsWith('old ')) return null;
  const sizeText = body.slice(4, firstBreak);
  if (!SIZE.test(sizeText)) return null;
  const oldSize = Number(sizeText);
  if (!Number.isSafeInteger(oldSize)) return null;
  const proof: Buffer[] = [];
  let at = firstBreak + 1;
  for (;;) {
    const end = body.indexOf('\n', at);
    if (end < 0) return null;
    const line = body.slice(at, end);
    at = end + 1;
    if (line === '') break;
    const hash = Buffer.from(line, 'base64');
    if (hash.length !== 32 || hash.toString('base64') !== line || proof.length === MAX_PROOF_LINES)
      return null;
    proof.push(hash);
  }
  const note = body.slice(at);
  return note === '' ? null : { oldSize, proof, note };
}
