// What the gateway process does with a promise rejection no code handled. Node's default ends the
// process, and with it every session of every user on this gateway: one async slip in handling one
// connection (a second exec on an SSH channel did this until 5 December) would let any signed-in
// user cut everyone off. The write-ahead rule does not rest on it (forwarding waits for the record
// it follows), so the gateway logs the rejection, masked like every log line, and keeps serving.
// An uncaught exception still ends the process: state a synchronous throw left half-changed
// cannot be trusted.
import type { Logger } from 'pino';
import { toVigilError } from '../core/errors.js';

/** Installs the handler; the function returned removes it. */
export function keepServingOnUnhandledRejection(logger: Logger): () => void {
  const onRejection = (reason: unknown) => {
    const error = toVigilError(reason);
    logger.error(
      { err: error.message, code: error.code, stack: reason instanceof Error ? reason.stack : undefined },
      'a promise rejection no code handled (a bug in Vigil): logged, and the gateway keeps serving',
    );
  };
  process.on('unhandledRejection', onRejection);
  return () => {
    process.off('unhandledRejection', onRejection);
  };
}
