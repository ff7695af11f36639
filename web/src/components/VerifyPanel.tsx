// Whether the session's record is intact: its hash chain and its inclusion in the latest signed
// checkpoint, checked by the gateway exactly as `vigil verify --bundle` checks an export; and the
// export itself, downloaded byte for byte as the gateway wrote it.
import { useState } from 'react';
import { apiGet, CONSOLE_HEADER, describeError } from '../api';
import type { BundleReport } from '../types';
import { InertLine } from './InertText';

export function VerifyPanel({ sessionId }: { sessionId: string }) {
  const [report, setReport] = useState<BundleReport | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const verify = async () => {
    setBusy(true);
    setError(null);
    try {
      setReport(await apiGet<BundleReport>(`/api/sessions/${sessionId}/verify`));
    } catch (err) {
      setError(describeError(err));
    } finally {
      setBusy(false);
    }
  };
  const download = async () => {
    setError(null);
    try {
      const res = await fetch(`/api/sessions/${sessionId}/export`, {
        headers: { ...CONSOLE_HEADER },
        credentials: 'same-origin',
      });
      if (!res.ok) {
        const body = (await res.json().catch(() => ({}))) as { error?: { code?: string; message?: string } };
        throw new Error(`${body.error?.code ?? res.status}: ${body.error?.message ?? res.statusText}`);
      }
      const blob = new Blob([await res.arrayBuffer()], { type: 'application/json' });
      const url = URL.createObjectURL(blob);
      const a = document.createElement('a');
      a.href = url;
      a.download = `vigil-session-${sessionId}.json`;
      document.body.append(a);
      a.click();
      a.remove();
      setTimeout(() => URL.revokeObjectURL(url), 10_000);
    } catch (err) {
      setError(describeError(err));
    }
  };

  return (
    <div className="row" data-testid="verify-panel">
      <button type="button" onClick={verify} disabled={busy} data-testid="verify">
        {busy ? 'Verifying…' : 'Verify'}
      </button>
      <button type="button" onClick={download} data-testid="export">
        Export bundle
      </button>
      {report && (
        <span data-testid="verify-result" data-ok={String(report.ok)} className={report.ok ? 'ok' : 'bad'}>
          {report.ok
            ? `Verified: ${report.events} event(s), chain intact, included in checkpoint of size ${report.checkpoint?.size} (${report.checkpoint?.time})${report.complete ? '' : ', session still open'}${report.purged ? `, ${report.purged} payload(s) purged` : ''}`
            : 'Verification FAILED: '}
          {report.fault && <InertLine text={`${report.fault.kind}: ${report.fault.message}`} />}
        </span>
      )}
      {error && (
        <span className="error" role="alert">
          {error}
        </span>
      )}
    </div>
  );
}
