// One session read back: who, where, when; whether its record verifies; its timeline of events and
// its reasoning tree. Reading it goes through the admin API, which records the read (audit.viewed)
// and refuses a session the reader may not see, which this page then says.
import { useEffect, useState } from 'react';
import { apiGet, describeError } from '../api';
import { IdentityName } from '../components/IdentityName';
import { InertLine } from '../components/InertText';
import { useSessionEventPages } from '../components/session-event-pages';
import { TerminalTab } from '../components/TerminalTab';
import { Timeline } from '../components/Timeline';
import { TreeTab } from '../components/TreeTab';
import { VerifyPanel } from '../components/VerifyPanel';
import { navigate } from '../router';
import type { SessionSummary } from '../types';

export function SessionPage({ id, query }: { id: string; query: URLSearchParams }) {
  const [session, setSession] = useState<SessionSummary | null>(null);
  const [error, setError] = useState<string | null>(null);
  const tabParam = query.get('tab');
  const tab = tabParam === 'tree' || tabParam === 'terminal' ? tabParam : 'timeline';
  const commandParam = query.get('command');
  const command = commandParam !== null && /^[1-9]\d*$/.test(commandParam) ? Number(commandParam) : null;
  const eventParam = query.get('event');
  const selectedSeq = eventParam !== null && /^\d+$/.test(eventParam) ? Number(eventParam) : null;

  // The summary heads the page; the events load only for the timeline, the tree loads itself, and
  // all of them at once rather than one after another.
  useEffect(() => {
    let live = true;
    setSession(null);
    setError(null);
    apiGet<{ session: SessionSummary }>(`/api/sessions/${id}`)
      .then((d) => live && setSession(d.session))
      .catch((err) => live && setError(describeError(err)));
    return () => {
      live = false;
    };
  }, [id]);
  const wantEvents = tab === 'timeline';
  // Page by page: the first page shows while the rest load (docs/console/sessions.md).
  const events = useSessionEventPages(id, wantEvents);

  const failure = error ?? (wantEvents ? events.error : null);
  if (failure)
    return (
      <section>
        <h1>Session {id}</h1>
        <p className="error" role="alert" data-testid="session-error">
          {failure}
        </p>
      </section>
    );
  const openTab = (name: 'timeline' | 'tree' | 'terminal') =>
    navigate(`/sessions/${id}${name === 'timeline' ? '' : `?tab=${name}`}`, { replace: true });

  return (
    <section>
      <h1>Session {id}</h1>
      {session ? (
        <div className="session-head">
          <span>
            <IdentityName name={session.identity.subject} /> on <InertLine text={session.connection} /> (
            {session.protocol})
          </span>
          <span>
            {session.startedAt} → {session.endedAt ?? <span className="badge live">live</span>}
          </span>
          <span>{session.eventCount} event(s)</span>
        </div>
      ) : (
        <p className="muted">Loading session {id}…</p>
      )}
      <VerifyPanel sessionId={id} />
      <div className="tabs" role="tablist">
        <button
          type="button"
          role="tab"
          aria-selected={tab === 'timeline'}
          onClick={() => openTab('timeline')}
        >
          Timeline
        </button>
        <button
          type="button"
          role="tab"
          aria-selected={tab === 'tree'}
          onClick={() => openTab('tree')}
          data-testid="tree-tab"
        >
          Reasoning tree
        </button>
        {(session?.protocol === 'ssh' || tab === 'terminal') && (
          <button
            type="button"
            role="tab"
            aria-selected={tab === 'terminal'}
            onClick={() => openTab('terminal')}
            data-testid="terminal-tab"
          >
            Terminal
          </button>
        )}
      </div>
      {tab === 'tree' ? (
        <TreeTab sessionId={id} selected={query.get('node')} />
      ) : tab === 'terminal' ? (
        <TerminalTab sessionId={id} command={command} />
      ) : events.events ? (
        <>
          <Timeline sessionId={id} events={events.events} selectedSeq={selectedSeq} />
          {!events.complete && (
            <p className="muted" data-testid="timeline-loading">
              Loading more events… {events.events.length}
              {session ? ` of ${session.eventCount}` : ''} read
            </p>
          )}
        </>
      ) : (
        <p className="muted">Loading the events…</p>
      )}
    </section>
  );
}
