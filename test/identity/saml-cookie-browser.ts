// A browser for the SAML flows that keeps cookies, as a real one does: GET /auth/saml/login leaves
// the sign-in's browser secret in a cookie, and the ACS signs in only the browser that sends it
// back (src/api/sign-in-saml-browser.ts). Cookies are kept by name only (the tests talk to one
// gateway per browser), which is all these flows need.
import { parseAutoPostForm } from '../support/saml-idp.js';

export class SamlCookieBrowser {
  readonly #cookies = new Map<string, string>();

  /** The Cookie header this browser sends ('' when it holds none). */
  get cookie(): string {
    return [...this.#cookies].map(([name, value]) => `${name}=${value}`).join('; ');
  }

  /** Keeps (or, with Max-Age=0, drops) the cookies a response sets. */
  keep(res: Response): void {
    for (const line of res.headers.getSetCookie()) {
      const [pair = '', ...attributes] = line.split(';');
      const eq = pair.indexOf('=');
      if (eq === -1) continue;
      const name = pair.slice(0, eq).trim();
      if (attributes.some((a) => /^\s*max-age=0\s*$/i.test(a))) this.#cookies.delete(name);
      else this.#cookies.set(name, pair.slice(eq + 1).trim());
    }
  }

  /** Sets a cookie as someone else could (a sibling subdomain tossing one, a script of the test). */
  plant(name: string, value: string): void {
    this.#cookies.set(name, value);
  }

  /** fetch with this browser's cookies, keeping what the answer sets; redirects are not followed. */
  async fetch(url: string, init: RequestInit = {}): Promise<Response> {
    const headers = new Headers(init.headers);
    if (this.cookie) headers.set('cookie', this.cookie);
    const res = await fetch(url, { ...init, headers, redirect: 'manual' });
    this.keep(res);
    return res;
  }

  /** Posts a form (a SAMLResponse, a RelayState) as the provider's auto-posting page makes it. */
  postForm(url: string, fields: Record<string, string>, accept = 'application/json'): Promise<Response> {
    return this.fetch(url, {
      method: 'POST',
      headers: { accept, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(fields).toString(),
    });
  }

  /**
   * Follows redirects and auto-posting forms from `startUrl`; stops before fetching a URL that
   * starts with `stopAt` (answering the form it would post, when there is one).
   */
  async signIn(
    startUrl: string,
    stopAt?: string,
  ): Promise<{ url: string; response: Response | null; form: Record<string, string> | null }> {
    let url = startUrl;
    let form: Record<string, string> | null = null;
    for (let hops = 0; hops < 10; hops++) {
      if (stopAt && url.startsWith(stopAt)) return { url, response: null, form };
      const res = form
        ? await this.postForm(url, form)
        : await this.fetch(url, { headers: { accept: 'application/json' } });
      const location = res.headers.get('location');
      if (res.status >= 300 && res.status < 400 && location) {
        await res.arrayBuffer();
        url = new URL(location, url).toString();
        form = null;
        continue;
      }
      if (!(res.headers.get('content-type') ?? '').startsWith('text/html'))
        return { url, response: res, form };
      const page = parseAutoPostForm(await res.text());
      if (!page) throw new Error(`a page without a form at ${url}`);
      url = new URL(page.action, url).toString();
      form = page.fields;
    }
    throw new Error(`too many hops from ${startUrl}`);
  }
}
