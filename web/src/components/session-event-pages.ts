// A session's events for the timeline, read page by page (GET /api/sessions/:id/events answers at
// most 500 events a call, with `next_after_seq` while more remain): each page is shown as it arrives
// and the next is asked for only then, so a long session neither waits for its last event before
// the first shows nor holds the gateway for one large answer.
import { useEffect, useState } from 'react';
import { apiGet, describeError } from '../api';
import type { StoredEvent } from '../types';

interface EventPage {
  readonly events: StoredEvent[];
  readonly next_after_seq?: number | null;
}

export interface SessionEventPages {
  /** The events read so far, in seq order; null before the first page. */
  readonly events: StoredEvent[] | null;
  /** Whether every page has been read. */
  readonly complete: boolean;
  readonly error: string | null;
}

export function useSessionEventPages(sessionId: string, enabled: boolean): SessionEventPages {
  const [state, setState] = useState<SessionEventPages>({ events: null, complete: false, error: null });
  useEffect(() => {
    if (!enabled) return;
    const controller = new AbortController();
    setState({ events: null, complete: false, error: null });
    (async () => {
      let read: StoredEvent[] = [];
      let after: number | null = -1;
      while (after !== null) {
        const query: string = after < 0 ? '' : `?after_seq=${after}`;
        const page: EventPage = await apiGet<EventPage>(
          `/api/sessions/${sessionId}/events${query}`,
          controller.signal,
        );
        if (controller.signal.aborted) return;
        read = read.concat(page.events);
        // A page that adds nothing ends the reading, whatever it says: a loop never spins.
        const next: number | null = page.next_after_seq ?? null;
        after = next !== null && page.events.length > 0 && next > after ? next : null;
        setState({ events: read, complete: after === null, error: null });
      }
    })().catch((err: unknown) => {
      if (!controller.signal.aborted) setState((s) => ({ ...s, error: describeError(err) }));
    });
    return () => controller.abort();
  }, [sessionId, enabled]);
  return state;
}
