// One session read back: who, where, when; whether its record verifies; its timeline of events and
// its reasoning tree. Reading it goes through the admin API, which records the read (audit.viewed)
// and refuses a session the reader may not see, which this page then says.
import { useEffect, useState } from 'react';
import { apiGet, describeError } from '../api';
import { InertLine } from '../components/InertText';
import { Timeline } from '../components/Timeline';
import { TreeTab } from '../components/TreeTab';
import { VerifyPanel } from '../components/VerifyPanel';
import { navigate } from '../router';
import type { SessionEvents, Whoami } from '../types';

export function SessionPage({ id, query }: { id: string; query: URLSearchParams; who: Whoami }) {
  const [data, setData] = useState<SessionEvents | null>(null);
  const [error, setError] = useState<string | null>(null);
  const tab = query.get('tab') === 'tree' ? 'tree' : 'timeline';
  const eventParam = query.get('event');
  const selectedSeq = eventParam !== null && /^\d+$/.test(eventParam) ? Number(eventParam) : null;

  useEffect(() => {
    let live = true;
    setData(null);
    setError(null);
    apiGet<SessionEvents>(`/api/sessions/${id}/events`)
      .then((d) => live && setData(d))
      .catch((err) => live && setError(describeError(err)));
    return () => {
      live = false;
    };
  }, [id]);

  if (error)
    return (
      <section>
        <h1>Session {id}</h1>
        <p className="error" role="alert" data-testid="session-error">
          {error}
        </p>
      </section>
    );
  if (!data) return <p className="muted">Loading session {id}…</p>;
  const s = data.session;
  const openTab = (name: 'timeline' | 'tree') =>
    navigate(`/sessions/${id}${name === 'tree' ? '?tab=tree' : ''}`, { replace: true });

  return (
    <section>
      <h1>Session {s.id}</h1>
      <div className="session-head">
        <span>
          <InertLine text={s.identity.subject} /> on <InertLine text={s.connection} /> ({s.protocol})
        </span>
        <span>
          {s.startedAt} → {s.endedAt ?? <span className="badge live">live</span>}
        </span>
        <span>{s.eventCount} event(s)</span>
      </div>
      <VerifyPanel sessionId={s.id} />
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
      </div>
      {tab === 'tree' ? (
        <TreeTab sessionId={s.id} selected={query.get('node')} />
      ) : (
        <Timeline sessionId={s.id} events={data.events} selectedSeq={selectedSeq} />
      )}
    </section>
  );
}
