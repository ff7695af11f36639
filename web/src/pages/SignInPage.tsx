// Signing in: with the configured OIDC provider (the gateway's authorization-code + PKCE flow, which
// ends by setting the console's HttpOnly cookie), or by pasting a Vigil token, which the gateway
// checks and turns into the same cookie. The page never keeps the token itself.
import { useEffect, useState } from 'react';
import { apiGet, apiSend, describeError } from '../api';

export function SignInPage({ onSignedIn, error }: { onSignedIn: () => void; error?: string | undefined }) {
  const [token, setToken] = useState('');
  const [problem, setProblem] = useState<string | null>(error ?? null);
  const [oidc, setOidc] = useState(false);
  useEffect(() => {
    apiGet<{ oidc: boolean }>('/auth/console')
      .then((c) => setOidc(c.oidc))
      .catch(() => setOidc(false));
  }, []);

  const submit = async (event: React.FormEvent) => {
    event.preventDefault();
    try {
      await apiSend('POST', '/auth/console/session', { token });
      setToken('');
      onSignedIn();
    } catch (err) {
      setProblem(describeError(err));
    }
  };

  return (
    <div className="signin">
      <h1>Sign in to Vigil</h1>
      {problem && (
        <p className="error" role="alert">
          {problem}
        </p>
      )}
      {oidc && (
        <p>
          <a className="button" href="/auth/login?console=1" data-testid="sso">
            Sign in with your identity provider
          </a>
        </p>
      )}
      <form onSubmit={submit}>
        <label htmlFor="token">Or paste a Vigil token</label>
        <textarea
          id="token"
          rows={3}
          value={token}
          onChange={(e) => setToken(e.target.value)}
          autoComplete="off"
          spellCheck={false}
        />
        <p>
          <button type="submit" className="primary" disabled={token.trim() === ''}>
            Sign in
          </button>
        </p>
      </form>
    </div>
  );
}
