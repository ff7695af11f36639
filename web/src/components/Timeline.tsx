// Every event of a session in order: sequence number (a shareable link), time and the gap since the
// event before, type, a one-line summary, and the whole payload on demand. Long sessions show their
// events a page at a time; an event named in the URL is always shown, open and scrolled to. Every
// identity's name (who acted, who decided or revoked, a grant's holder, an action's approvers) is
// drawn through IdentityName, so a name that may pass for another is marked here too.
import { useEffect, useMemo, useRef, useState } from 'react';
import { eventSummary } from '../event-summary';
import { attributionOf, isIdentityPath } from '../identity-paths';
import { onLinkClick } from '../router';
import type { JsonValue, StoredEvent } from '../types';
import { IdentityName } from './IdentityName';
import { InertLine } from './InertText';
import { PayloadView } from './PayloadView';
import { ProposedBy } from './ProposedBy';

const PAGE = 300;

/**
 * The model turn that proposed each held action, by approval id: the approval request names it
 * (`proposed_by`), and the action, once approved, names its approval (`approval.id`), so the action's
 * own entry links to the turn too.
 */
function proposersByApproval(events: readonly StoredEvent[]): ReadonlyMap<string, JsonValue> {
  const found = new Map<string, JsonValue>();
  for (const e of events) {
    const p = e.payload;
    if (e.type === 'approval.requested' && typeof p?.approval_id === 'string' && p.proposed_by)
      found.set(p.approval_id, p.proposed_by);
  }
  return found;
}

function approvalIdOf(event: StoredEvent): string | null {
  const approval = event.payload?.approval;
  if (typeof approval !== 'object' || approval === null || Array.isArray(approval)) return null;
  return typeof approval.id === 'string' ? approval.id : null;
}

export function Timeline({
  sessionId,
  events,
  selectedSeq,
}: {
  sessionId: string;
  events: readonly StoredEvent[];
  selectedSeq: number | null;
}) {
  const [shown, setShown] = useState(PAGE);
  const selected = useRef<HTMLDivElement>(null);
  const proposers = useMemo(() => proposersByApproval(events), [events]);
  const limit = selectedSeq !== null ? Math.max(shown, selectedSeq + 1) : shown;
  // Events arrive a page at a time: the one the URL names may come with a later page.
  const selectedLoaded = selectedSeq !== null && (events.at(-1)?.seq ?? -1) >= selectedSeq;
  // biome-ignore lint/correctness/useExhaustiveDependencies: scrolls again whenever the URL names another event, or it arrives
  useEffect(() => {
    selected.current?.scrollIntoView({ block: 'center' });
  }, [selectedSeq, selectedLoaded]);

  return (
    <div data-testid="timeline">
      {events.slice(0, limit).map((event, i) => {
        const previous = i > 0 ? events[i - 1] : undefined;
        const gap = previous ? Date.parse(event.time) - Date.parse(previous.time) : null;
        const isSelected = event.seq === selectedSeq;
        const href = `/sessions/${sessionId}?event=${event.seq}`;
        const approvalId = approvalIdOf(event);
        const proposedBy = event.payload?.proposed_by ?? (approvalId ? proposers.get(approvalId) : undefined);
        const attribution = attributionOf(event.type, event.payload);
        return (
          <div
            key={event.seq}
            ref={isSelected ? selected : undefined}
            className={`event${isSelected ? ' selected' : ''}`}
            data-testid="event"
            data-type={event.type}
          >
            <div className="meta">
              <a href={href} onClick={(e) => onLinkClick(e, href)} aria-label={`Event ${event.seq}`}>
                #{event.seq}
              </a>
              <span>{event.time}</span>
              {gap !== null && <span>+{gap} ms</span>}
              <strong>{event.type}</strong>
              {/* Who acted: marked when the name may pass for another's (IdentityName.tsx). */}
              <span data-testid="event-actor">
                <IdentityName name={event.identity.subject} compact />
              </span>
            </div>
            {attribution !== null && (
              <div data-testid="event-attribution">
                {attribution} <IdentityName name={event.identity.subject} />
              </div>
            )}
            <div>
              <InertLine text={eventSummary(event)} />
            </div>
            {proposedBy ? <ProposedBy value={proposedBy} /> : null}
            <details open={isSelected}>
              <summary>payload</summary>
              {event.payload === null ? (
                <span className="muted">purged by retention (its hash still verifies)</span>
              ) : (
                <PayloadView value={event.payload} isName={(path) => isIdentityPath(event.type, path)} />
              )}
            </details>
          </div>
        );
      })}
      {limit < events.length && (
        <button type="button" onClick={() => setShown(limit + PAGE)}>
          Show {Math.min(PAGE, events.length - limit)} more of {events.length - limit}
        </button>
      )}
    </div>
  );
}
