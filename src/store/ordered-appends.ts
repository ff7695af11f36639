// Appends through a wrapper that must do asynchronous work on a batch before its backend sees it
// (the offloading store writes large payloads to object storage first), keeping what the backend's
// `appendAfter` promises: batches reach the backend in the order they came, and a batch that
// continues one that never reached it (its preparation failed) is refused, writing nothing.

import { VigilError } from '../core/errors.js';
import type { RecordedEvent } from '../core/events.js';
import { type AppendedPositions, CONTINUES_UNWRITTEN, type SessionMeta, type Store } from '../core/ports.js';

type Append = (
  events: readonly RecordedEvent[],
  sessions?: readonly SessionMeta[],
) => Promise<AppendedPositions>;

export interface OrderedAppends {
  readonly appendEvents: Append;
  /** Present when the backend offers it. */
  readonly appendAfter?: Append;
}

/**
 * `prepare` turns a batch into what the backend writes, or throws (the batch is then refused).
 * `needsPreparing` says whether it has anything to do for a batch: the others go straight through
 * when nothing is being prepared ahead of them.
 */
export function orderedAppends(
  inner: Store,
  needsPreparing: (events: readonly RecordedEvent[]) => boolean,
  prepare: (events: readonly RecordedEvent[]) => Promise<readonly RecordedEvent[]>,
): OrderedAppends {
  /** Settles once the last batch was handed to the backend: true, or false when it never will be. */
  let lastHandedOver: Promise<boolean> = Promise.resolve(true);
  let preparing = 0;

  const append =
    (continues: boolean): Append =>
    (events, sessions) => {
      const write = (ready: readonly RecordedEvent[]) =>
        continues ? inner.appendAfter!(ready, sessions) : inner.appendEvents(ready, sessions);
      if (preparing === 0 && !needsPreparing(events)) return write(events);
      const previous = lastHandedOver;
      let handedOver!: (reached: boolean) => void;
      lastHandedOver = new Promise((resolve) => {
        handedOver = resolve;
      });
      preparing++;
      const prepared = prepare(events);
      return (async () => {
        let written: Promise<AppendedPositions>;
        try {
          // Handed over only after the batch before it, whether its own preparation ends first.
          const ready = await prepared.finally(() => previous);
          if (continues && !(await previous)) throw new VigilError('record_failed', CONTINUES_UNWRITTEN);
          written = write(ready);
          handedOver(true);
        } catch (err) {
          handedOver(false);
          throw err;
        } finally {
          preparing--;
        }
        return written;
      })();
    };

  return inner.appendAfter
    ? { appendEvents: append(false), appendAfter: append(true) }
    : { appendEvents: append(false) };
}
