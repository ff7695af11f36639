// Sessions: filters (identity, connection, protocol, time, state) and content search, all in the
// URL so a filtered list can be shared; pages come from the server, newest first, and the next one
// loads as the reader scrolls near the end.
import { useCallback, useEffect, useRef, useState } from 'react';
import { apiGet, describeError } from '../api';
import { IdentityName } from '../components/IdentityName';
import { InertLine } from '../components/InertText';
import { VirtualList } from '../components/VirtualList';
import { navigate, onLinkClick } from '../router';
import type { SessionPage, SessionSummary } from '../types';

const FILTERS = ['search', 'identity', 'connection', 'protocol', 'state', 'since', 'until'] as const;
const PAGE = 200;
const ROW = 34;

/** Where the next page starts: right after the last session of the one before. */
interface Cursor {
  readonly until: string;
  readonly afterId: string;
}

function listUrl(query: URLSearchParams, cursor: Cursor | null): string {
  const params = new URLSearchParams();
  for (const name of FILTERS) {
    const value = query.get(name);
    if (!value) continue;
    // A time typed into the form is local; the API takes ISO times.
    params.set(name, name === 'since' || name === 'until' ? new Date(value).toISOString() : value);
  }
  if (cursor) {
    params.set('until', cursor.until);
    params.set('after_id', cursor.afterId);
  }
  params.set('limit', String(PAGE));
  return `/api/sessions?${params}`;
}

export function SessionsPage({ query }: { query: URLSearchParams }) {
  const [sessions, setSessions] = useState<SessionSummary[]>([]);
  const [next, setNext] = useState<Cursor | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [loading, setLoading] = useState(false);
  const [rendered, setRendered] = useState<number | null>(null);
  const loadingRef = useRef(false);
  const key = query.toString();

  const load = useCallback(
    async (cursor: Cursor | null, replace: boolean) => {
      if (loadingRef.current) return;
      loadingRef.current = true;
      setLoading(true);
      try {
        const page = await apiGet<SessionPage>(listUrl(new URLSearchParams(key), cursor));
        setSessions((old) => (replace ? page.sessions : [...old, ...page.sessions]));
        setNext(
          page.next_until && page.next_after_id
            ? { until: page.next_until, afterId: page.next_after_id }
            : null,
        );
        setError(null);
        if (replace) setRendered(performance.now());
      } catch (err) {
        setError(describeError(err));
      } finally {
        loadingRef.current = false;
        setLoading(false);
      }
    },
    [key],
  );
  useEffect(() => {
    void load(null, true);
  }, [load]);
  const nearEnd = useCallback(() => {
    if (next) void load(next, false);
  }, [next, load]);

  const applyFilters = (event: React.FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const params = new URLSearchParams();
    for (const name of FILTERS) {
      const value = String(form.get(name) ?? '').trim();
      if (value) params.set(name, value);
    }
    navigate(`/sessions${params.size ? `?${params}` : ''}`);
  };

  return (
    <section>
      <h1>Sessions</h1>
      <form className="filters" onSubmit={applyFilters} key={key} aria-label="Filter sessions">
        <label>
          Content search
          <input name="search" defaultValue={query.get('search') ?? ''} data-testid="search" />
        </label>
        <label>
          Identity
          <input name="identity" defaultValue={query.get('identity') ?? ''} />
        </label>
        <label>
          Connection
          <input name="connection" defaultValue={query.get('connection') ?? ''} />
        </label>
        <label>
          Protocol
          <input name="protocol" defaultValue={query.get('protocol') ?? ''} placeholder="llm, postgres…" />
        </label>
        <label>
          State
          <select name="state" defaultValue={query.get('state') ?? ''}>
            <option value="">any</option>
            <option value="live">live</option>
            <option value="ended">ended</option>
          </select>
        </label>
        <label>
          Since
          <input name="since" type="datetime-local" defaultValue={query.get('since') ?? ''} />
        </label>
        <label>
          Until
          <input name="until" type="datetime-local" defaultValue={query.get('until') ?? ''} />
        </label>
        <button type="submit" className="primary">
          Search
        </button>
      </form>
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      <p className="muted" data-testid="session-count" data-rendered-at={rendered ?? undefined}>
        {sessions.length} session(s){next ? ', more as you scroll' : ''}
        {loading ? ' · loading…' : ''}
      </p>
      <VirtualList
        label="Sessions"
        items={sessions}
        rowHeight={ROW}
        height={Math.max(300, Math.round(window.innerHeight * 0.65))}
        onOpen={(s) => navigate(`/sessions/${s.id}`)}
        onNearEnd={nearEnd}
        header={
          <div className="vrow head" style={{ height: ROW }}>
            <span>Started</span>
            <span>Identity</span>
            <span>Connection</span>
            <span>Protocol</span>
            <span>State</span>
            <span>Events</span>
            <span>Session</span>
          </div>
        }
        renderRow={(s, i, active, style) => (
          <a
            key={s.id}
            id={`row-${i}`}
            className={`vrow${active ? ' active' : ''}`}
            style={style}
            href={`/sessions/${s.id}`}
            onClick={(e) => onLinkClick(e, `/sessions/${s.id}`)}
            tabIndex={-1}
            data-testid="session-row"
          >
            <span>{new Date(s.startedAt).toLocaleString()}</span>
            <span>
              <IdentityName name={s.identity.subject} compact />
            </span>
            <span>
              <InertLine text={s.connection} />
            </span>
            <span>{s.protocol}</span>
            <span>
              {s.endedAt === null ? (
                <span className="badge live">live</span>
              ) : (
                <InertLine text={s.endReason ?? 'ended'} />
              )}
            </span>
            <span>{s.eventCount}</span>
            <span className="muted">{s.id}</span>
          </a>
        )}
      />
    </section>
  );
}
