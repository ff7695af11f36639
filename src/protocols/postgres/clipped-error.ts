// The head of an ErrorResponse too large to hold (a server error can quote a value of up to 1 GB:
// `SELECT repeat('x', 500000000)::int`, or `RAISE EXCEPTION '%', repeat(...)`), as a body the
// ResponseTracker can read: the fields present in the head (the severity and SQLSTATE come first),
// the last one cut where the head ends, and the message replaced by a note of its size, since
// only its start is there and a prefix could end in half a secret that masking no longer knows.
/** The bytes of a large ErrorResponse Vigil reads before passing the rest on as it arrives. */
export const ERROR_HEAD_BYTES = 64 * 1024;

/** The message Vigil records in place of one it does not hold. */
export function unrecordedMessage(bytes: number): string {
  return `<error message of ${bytes} bytes not recorded>`;
}

/** `head` is the start of the message (header included); `total` its whole size. */
export function clippedErrorBody(head: Buffer, total: number): Buffer {
  const body = head.subarray(5);
  const parts: Buffer[] = [];
  let hasMessage = false;
  let at = 0;
  while (at < body.length && body[at] !== 0) {
    const code = body[at]!;
    const end = body.indexOf(0, at + 1);
    const value = body.subarray(at + 1, end === -1 ? body.length : end);
    if (code === 0x4d) hasMessage = true;
    const kept = code === 0x4d ? Buffer.from(unrecordedMessage(total)) : value;
    parts.push(Buffer.from([code]), kept, Buffer.from([0]));
    if (end === -1) break;
    at = end + 1;
  }
  if (!hasMessage) parts.push(Buffer.from('M'), Buffer.from(unrecordedMessage(total)), Buffer.from([0]));
  parts.push(Buffer.from([0]));
  return Buffer.concat(parts);
}
