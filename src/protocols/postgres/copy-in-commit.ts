// The rows a client sends with `COPY … FROM STDIN` land when the server reads its CopyDone. Vigil's
// rule is that nothing reaches the target before its record is on disk, so the CopyDone is held
// until a `db.copy_data` event with the copy's data (copy-in-recorder.ts: the first record_rows
// lines, masked, and the size and SHA-256 of all of it) is committed:
// - committed: the CopyDone goes on, and the server commits the copy;
// - not committed (fail closed): Vigil sends the server CopyFail in its place, so the server fails
//   the copy and nothing of it lands, and the client gets record_failed in place of the server's
//   error (the copy's db.result says Vigil failed it). With `on_record_failure: fail-open` the
//   commit resolves empty and the copy goes on.
// A CopyDone sent ahead of the server's CopyInResponse (pipelined behind the statement) first
// waits for it: only then is it known which copy it ends. One that ends no copy (the COPY failed
// first, or none started) goes on as before: the server ignores it. The data itself was forwarded
// as it came (the server holds it in the copy's transaction until CopyDone), and while the CopyDone
// is held, nothing the client sent after it is read (the relay holds later messages).
import { toVigilError, VigilError } from '../../core/errors.js';
import type { ModuleSession } from '../../pipeline/module-context.js';
import { type CopyInFollower, type CopyInRelay, copyInDecided } from './copy-in.js';
import type { CopyInRecorder } from './copy-in-recorder.js';
import type { Frame } from './frame-reader.js';
import { vigilErrorResponse } from './wire-errors.js';
import { copyFail, flush } from './wire-writer.js';

/** Why Vigil failed a copy: what the server's error, and the copy's db.result, say. */
export const COPY_NOT_RECORDED = 'vigil: the copy data could not be recorded';

export interface CopyDoneDeps {
  readonly follower: CopyInFollower;
  readonly recorder: CopyInRecorder;
  readonly relay: CopyInRelay;
  readonly session: Pick<ModuleSession, 'observe' | 'touch'>;
  readonly logger: { warn(obj: object, msg: string): void };
}

/** The client's CopyDone (`frame`): forwarded once the data it ends is on record, or a CopyFail instead. */
export async function copyDoneWhenRecorded(frame: Frame, deps: CopyDoneDeps): Promise<void> {
  const { follower, recorder, relay } = deps;
  if ((await copyInDecided(follower, relay, flush())) === null) return;
  const ended = recorder.copyDone(frame, follower);
  if (!ended) return void relay.toUpstream(frame.raw);
  deps.session.touch();
  try {
    // Not deferred: the CopyDone goes on only once this commit is on disk.
    await deps.session.observe('db.copy_data', ended.payload);
  } catch (err) {
    if (relay.closed) return;
    const error = toVigilError(err, 'record_failed');
    deps.logger.warn({ code: error.code, err: error.message }, 'copy data not recorded: the copy is failed');
    const refusal = new VigilError(
      'record_failed',
      'the copy data could not be recorded, so the copy was failed',
    );
    if (ended.failedByVigil(COPY_NOT_RECORDED)) follower.failedByVigil(vigilErrorResponse(refusal, false));
    relay.toUpstream(copyFail(COPY_NOT_RECORDED));
    return;
  }
  if (!relay.closed) relay.toUpstream(frame.raw);
}
