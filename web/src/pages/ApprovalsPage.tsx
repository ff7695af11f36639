// The approvals inbox: held actions the signed-in identity may see, kept current by the gateway's
// server-sent events (GET /api/approvals/stream), each with the masked action, who asked, and
// approve / deny with a mandatory reason; and the grants in force, with revoke.
import { useCallback, useEffect, useState } from 'react';
import { apiGet, apiSend, describeError } from '../api';
import { HeldAction, useHeldAction } from '../components/HeldAction';
import { IdentityName, RequesterWarning } from '../components/IdentityName';
import { InertLine } from '../components/InertText';
import { PayloadView } from '../components/PayloadView';
import { ProposedBy } from '../components/ProposedBy';
import type { ApprovalRecord, GrantRecord, Whoami } from '../types';

interface Inbox {
  readonly approvals: ApprovalRecord[];
  /** More requests of some kind are pending than the gateway lists: older ones are not shown. */
  readonly truncated: boolean;
}

function useApprovalStream(): { inbox: Inbox | null; connected: boolean } {
  const [inbox, setInbox] = useState<Inbox | null>(null);
  const [connected, setConnected] = useState(false);
  useEffect(() => {
    const source = new EventSource('/api/approvals/stream');
    source.addEventListener('approvals', (event) => {
      const sent = JSON.parse((event as MessageEvent<string>).data) as Partial<Inbox>;
      setInbox({ approvals: sent.approvals ?? [], truncated: sent.truncated === true });
      setConnected(true);
    });
    source.onerror = () => setConnected(false);
    return () => source.close();
  }, []);
  return { inbox, connected };
}

function ApprovalCard({ record }: { record: ApprovalRecord }) {
  const [reason, setReason] = useState('');
  const [problem, setProblem] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const decide = async (decision: 'approve' | 'deny') => {
    if (reason.trim() === '') {
      setProblem('A reason is required.');
      return;
    }
    setBusy(true);
    try {
      await apiSend('POST', `/api/approvals/${record.id}/${decision}`, { reason });
      setProblem(null);
    } catch (err) {
      setProblem(describeError(err));
    } finally {
      setBusy(false);
    }
  };
  const summary = typeof record.subject.summary === 'string' ? record.subject.summary : null;
  // A held action is approved only once it is shown whole; access requests carry no action.
  const held = useHeldAction(record);
  const approvable = held === null || held.state === 'shown';
  return (
    <article
      className="approval"
      data-testid="approval"
      data-id={record.id}
      aria-label={`approval ${record.id}`}
    >
      <div className="row">
        <strong>{record.id}</strong>
        <span className="muted">
          {record.kind} on <InertLine text={record.connection} /> · rule{' '}
          <InertLine text={record.rule ?? '—'} /> · until {record.expiresAt}
        </span>
      </div>
      <p>
        Asked by{' '}
        <span data-testid="approval-requester">
          <InertLine text={record.requester.subject} />
        </span>{' '}
        · reason: <InertLine text={record.reason} />
      </p>
      <RequesterWarning name={record.requester.subject} />
      {held !== null ? (
        <HeldAction record={record} held={held} />
      ) : (
        summary !== null && (
          <pre className="text" data-testid="approval-action">
            <InertLine text={summary} />
          </pre>
        )
      )}
      <ProposedBy value={record.subject.proposed_by} />
      <details>
        <summary>held action (masked)</summary>
        <PayloadView value={record.subject} />
        {record.actionDigest && <p className="muted">action digest {record.actionDigest}</p>}
      </details>
      <label htmlFor={`reason-${record.id}`}>Reason (required)</label>
      <textarea
        id={`reason-${record.id}`}
        rows={2}
        value={reason}
        onChange={(e) => setReason(e.target.value)}
        data-testid="approval-reason"
      />
      <div className="row">
        <button
          type="button"
          className="primary"
          disabled={busy || !approvable}
          onClick={() => decide('approve')}
        >
          Approve
        </button>
        <button type="button" disabled={busy} onClick={() => decide('deny')}>
          Deny
        </button>
        {problem && (
          <span className="error" role="alert">
            {problem}
          </span>
        )}
      </div>
    </article>
  );
}

/**
 * The grants in force, read again whenever the inbox changes (an approved access request is a new
 * grant), and the ones revoked from this page, which stay listed as revoked, with when and by whom.
 */
function Grants({ who, inboxKey }: { who: Whoami; inboxKey: string }) {
  const [grants, setGrants] = useState<GrantRecord[]>([]);
  const [revoked, setRevoked] = useState<GrantRecord[]>([]);
  const [problem, setProblem] = useState<string | null>(null);
  const load = useCallback(() => {
    apiGet<{ grants: GrantRecord[] }>('/api/grants')
      .then((g) => setGrants(g.grants))
      .catch((err) => setProblem(describeError(err)));
  }, []);
  // biome-ignore lint/correctness/useExhaustiveDependencies: reads again whenever the inbox changes
  useEffect(load, [load, inboxKey]);
  const revoke = async (id: string) => {
    try {
      const { grant } = await apiSend<{ grant: GrantRecord }>('POST', `/api/grants/${id}/revoke`);
      setRevoked((old) => [grant, ...old.filter((g) => g.id !== grant.id)]);
      setProblem(null);
      load();
    } catch (err) {
      setProblem(describeError(err));
    }
  };
  return (
    <section>
      <h2>Grants in force</h2>
      {problem && (
        <p className="error" role="alert">
          {problem}
        </p>
      )}
      {grants.length === 0 ? (
        <p className="muted">No active grants.</p>
      ) : (
        <table className="grants">
          <thead>
            <tr>
              <th>Who</th>
              <th>Connection</th>
              <th>Until</th>
              <th>Reason</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {grants.map((g) => (
              <tr key={g.id} data-testid="grant" data-id={g.id}>
                <td>
                  <IdentityName name={g.subject} />
                </td>
                <td>
                  <InertLine text={g.connection} />
                </td>
                <td>{g.expiresAt}</td>
                <td>
                  {g.breakGlass ? 'break-glass: ' : ''}
                  <InertLine text={g.reason} />
                </td>
                <td>
                  {/* The holder gives a grant back: same kind and subject (the server checks the same). */}
                  {(who.roles.includes('admin') ||
                    (g.subject === who.identity.subject && g.subjectKind === who.identity.kind)) && (
                    <button type="button" onClick={() => revoke(g.id)} aria-label={`Revoke grant ${g.id}`}>
                      Revoke
                    </button>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {revoked.length > 0 && (
        <ul data-testid="grants-revoked">
          {revoked.map((g) => (
            <li key={g.id} data-id={g.id}>
              Revoked: <IdentityName name={g.subject} />
              's grant on <InertLine text={g.connection} /> ({g.id}), at {g.revokedAt ?? '?'}
              {g.revokedBy ? (
                <>
                  {' '}
                  by <IdentityName name={g.revokedBy} />
                </>
              ) : null}
              ; its sessions are cut.
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

export function ApprovalsPage({ who }: { who: Whoami }) {
  const { inbox, connected } = useApprovalStream();
  const approvals = inbox?.approvals ?? null;
  return (
    <section>
      <h1>Approvals</h1>
      <p className="muted" data-testid="stream-state">
        {connected ? 'Live: updates as requests arrive and are decided.' : 'Connecting…'}
      </p>
      {inbox?.truncated && (
        <p className="error" role="alert" data-testid="inbox-truncated">
          More requests are pending than the inbox lists (the newest 200 of each kind): older ones are not
          shown here.
        </p>
      )}
      {approvals === null ? null : approvals.length === 0 ? (
        <p className="muted" data-testid="inbox-empty">
          Nothing is waiting for a decision.
        </p>
      ) : (
        approvals.map((r) => <ApprovalCard key={r.id} record={r} />)
      )}
      <Grants who={who} inboxKey={approvals?.map((r) => r.id).join(',') ?? ''} />
    </section>
  );
}
