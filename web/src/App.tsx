// The console's frame: who is signed in, the navigation, the theme toggle, and the page for the URL.
import { useCallback, useEffect, useState } from 'react';
import { ApiError, apiGet, apiSend, describeError } from './api';
import { IdentityName } from './components/IdentityName';
import { ShownNamesProvider } from './components/ShownNames';
import { ApprovalsPage } from './pages/ApprovalsPage';
import { SessionPage } from './pages/SessionPage';
import { SessionsPage } from './pages/SessionsPage';
import { SignInPage } from './pages/SignInPage';
import { navigate, onLinkClick, useLocation } from './router';
import { applyTheme, nextTheme, storedTheme, type Theme } from './theme';
import type { Whoami } from './types';

type Auth = { state: 'loading' } | { state: 'signed-out'; error?: string } | { state: 'in'; who: Whoami };

export function App() {
  const [auth, setAuth] = useState<Auth>({ state: 'loading' });
  const [theme, setTheme] = useState<Theme>(storedTheme);
  const location = useLocation();

  const refresh = useCallback(async () => {
    try {
      setAuth({ state: 'in', who: await apiGet<Whoami>('/api/whoami') });
    } catch (err) {
      const signedOut = err instanceof ApiError && err.status === 401;
      setAuth(signedOut ? { state: 'signed-out' } : { state: 'signed-out', error: describeError(err) });
    }
  }, []);
  useEffect(() => {
    void refresh();
  }, [refresh]);

  const toggleTheme = () => {
    const next = nextTheme(theme);
    applyTheme(next);
    setTheme(next);
  };
  const signOut = async () => {
    await apiSend('POST', '/auth/console/signout');
    setAuth({ state: 'signed-out' });
    navigate('/');
  };

  if (auth.state === 'signed-out') return <SignInPage onSignedIn={refresh} error={auth.error} />;

  // While "who am I" is on its way the page already asks for its own data: the API decides what
  // may be seen either way, and a refusal for want of a sign-in brings the sign-in page instead.
  const who = auth.state === 'in' ? auth.who : null;
  const sessionMatch = /^\/sessions\/([A-Za-z0-9_-]+)$/.exec(location.path);
  let page: React.ReactNode;
  if (sessionMatch) page = <SessionPage id={sessionMatch[1]!} query={location.query} />;
  else if (location.path === '/approvals') page = who ? <ApprovalsPage who={who} /> : null;
  else if (location.path === '/' || location.path === '/sessions')
    page = <SessionsPage query={location.query} />;
  else page = <p className="error">No page at this address.</p>;

  // Every name the page draws, the header's among them, is compared with the others (ShownNames.tsx).
  return (
    <ShownNamesProvider>
      <header className="top">
        <strong>Vigil</strong>
        <nav aria-label="Main">
          <a href="/sessions" onClick={(e) => onLinkClick(e, '/sessions')}>
            Sessions
          </a>
          <a href="/approvals" onClick={(e) => onLinkClick(e, '/approvals')}>
            Approvals
          </a>
        </nav>
        {who ? (
          <span className="who" data-testid="who">
            <IdentityName name={who.identity.subject} compact /> ({who.roles.join(', ') || 'user'})
          </span>
        ) : (
          <span className="who muted">…</span>
        )}
        <button
          type="button"
          onClick={toggleTheme}
          aria-label="Toggle theme"
          title="Theme: auto, dark, light"
        >
          Theme: {theme}
        </button>
        <button type="button" onClick={signOut}>
          Sign out
        </button>
      </header>
      <main>{page}</main>
    </ShownNamesProvider>
  );
}
