// XA transactions through Vigil. Every identity of a connection logs in upstream as the same server
// user, and the server lets any session of that user end a prepared XA transaction by its xid once
// the session that prepared it has gone (a prepared transaction outlives its session, so that a
// transaction manager can end it after a crash): one identity's `XA COMMIT 'xid'` or `XA ROLLBACK
// 'xid'` committed or undid another's prepared work, a change to what a recorded session did that
// only someone else's record showed. Now an identity may end only the XA transactions it started
// through the same Vigil connection on the same gateway, from any of its sessions (recovery after a
// reconnect goes on): an xid becomes the identity's once the server has answered its `XA START |
// BEGIN` with OK (a start the server refused, say because someone else holds that xid, gives
// nothing), and is released by its COMMIT or ROLLBACK. What the gateway has not seen started (one
// started before it restarted, on another replica, or straight on the server) is ended only on the
// server by its administrator. `XA RECOVER`, which lists every session's prepared xids, is a read
// of other sessions' work (activity-tables.ts).
// An xid is compared as the server compares it, byte for byte: only the plain spellings are read
// (quoted ASCII strings and a decimal format id); any other spelling (hex, an introducer, adjacent
// strings, other characters) is never owned, so its COMMIT or ROLLBACK is refused (fail closed).
import { VigilError } from '../../core/errors.js';
import { type Identity, sameIdentity } from '../../core/events.js';
import type { Token } from './sql-lexer.js';

/** How many xids a connection's identities may own at once; a start beyond it is not remembered (fail closed). */
const MAX_OWNED = 10_000;

const PLAIN_ASCII = /^[\x20-\x7e]*$/;

type XaVerb = 'start' | 'end' | 'prepare' | 'commit' | 'rollback' | 'recover';

/** What the words after the xid may be, per verb. */
const TRAILERS: Readonly<Record<Exclude<XaVerb, 'recover'>, readonly string[][]>> = {
  start: [[], ['join'], ['resume']],
  end: [[], ['suspend'], ['suspend', 'for', 'migrate']],
  prepare: [[]],
  commit: [[], ['one', 'phase']],
  rollback: [[]],
};

export interface XaStatement {
  readonly verb: XaVerb;
  /** The xid as the server compares it (gtrid, bqual, format id), or null when not plainly spelled. */
  readonly xid: string | null;
}

/** The XA statement one statement's tokens are, or null when they are not one. */
export function parseXa(tokens: readonly Token[]): XaStatement | null {
  if (tokens[0]?.kind !== 'word' || tokens[0].text !== 'xa') return null;
  const word = tokens[1]?.kind === 'word' ? tokens[1].text : '';
  const verb: XaVerb | null =
    word === 'begin'
      ? 'start'
      : ((['start', 'end', 'prepare', 'commit', 'rollback', 'recover'] as const).find((v) => v === word) ??
        null);
  if (verb === null) return null;
  if (verb === 'recover') return { verb, xid: null };
  return { verb, xid: xidKey(tokens.slice(2), TRAILERS[verb]) };
}

/** `'gtrid' [, 'bqual' [, formatID]]` followed by one of `trailers`, as a comparable key. */
function xidKey(tokens: readonly Token[], trailers: readonly string[][]): string | null {
  const parts: string[] = [];
  let i = 0;
  for (;;) {
    const t = tokens[i];
    if (parts.length < 2) {
      if (t?.kind !== 'string' || !PLAIN_ASCII.test(t.text)) return null;
      parts.push(t.text);
    } else {
      if (t?.kind !== 'number' || !/^\d{1,10}$/.test(t.text)) return null;
      parts.push(String(Number(t.text)));
    }
    i++;
    if (parts.length === 3 || tokens[i]?.text !== ',' || tokens[i]?.kind !== 'punct') break;
    i++;
  }
  const rest = tokens.slice(i);
  const trailerOk = trailers.some(
    (words) => words.length === rest.length && rest.every((t, k) => t.kind === 'word' && t.text === words[k]),
  );
  if (!trailerOk) return null;
  // The server's defaults: an empty branch qualifier and format id 1.
  return JSON.stringify([parts[0], parts[1] ?? '', parts[2] ?? '1']);
}

interface XaOwner {
  readonly identity: Pick<Identity, 'subject' | 'kind'>;
  /** The session whose start made it the identity's (a reset of that session releases it). */
  readonly sessionId: string;
}

/**
 * The xids each identity started through one Vigil connection and has not ended: the ones it may
 * commit or roll back. One per connection, shared by its sessions (module.ts).
 */
export class XaOwners {
  readonly #owners = new Map<string, XaOwner>();

  /** The XA view of one session of `identity`. */
  session(identity: Pick<Identity, 'subject' | 'kind'>, sessionId: string): SessionXa {
    return new SessionXa(this.#owners, { identity, sessionId });
  }
}

/** What one session may end, and what its statements' OKs change. */
export class SessionXa {
  readonly #owners: Map<string, XaOwner>;
  readonly #me: XaOwner;

  constructor(owners: Map<string, XaOwner>, me: XaOwner) {
    this.#owners = owners;
    this.#me = me;
  }

  #mine(xid: string): boolean {
    const owner = this.#owners.get(xid);
    return owner !== undefined && sameIdentity(owner.identity, this.#me.identity);
  }

  /**
   * Why the statements (one text's, in order) may not run: a COMMIT or ROLLBACK of an xid the
   * identity does not own. A start earlier in the same text counts: the server stops a text at its
   * first error, so a COMMIT after a refused START never runs.
   */
  refusal(statements: readonly (readonly Token[])[]): VigilError | null {
    const starting = new Set<string>();
    for (const tokens of statements) {
      const xa = parseXa(tokens);
      if (xa?.verb === 'start' && xa.xid !== null) starting.add(xa.xid);
      if (xa?.verb !== 'commit' && xa?.verb !== 'rollback') continue;
      if (xa.xid !== null && (this.#mine(xa.xid) || starting.has(xa.xid))) continue;
      return new VigilError(
        'policy_denied',
        xa.xid === null
          ? `XA ${xa.verb.toUpperCase()} through Vigil takes an xid of quoted ASCII strings and a decimal format id, as XA START gave it`
          : `XA ${xa.verb.toUpperCase()} of a transaction you did not start: every identity of this connection shares one server user, so an xid is ended only by the identity that started it through this gateway`,
      );
    }
    return null;
  }

  /**
   * The session was reset (COM_RESET_CONNECTION): the server rolled back its active XA transaction
   * and detached its prepared ones. The xids its starts gave are released: another session may
   * start one again, and an answer read late must not leave it this identity's (fail closed: a
   * prepared one is then ended on the server by its administrator).
   */
  reset(): void {
    for (const [xid, owner] of this.#owners)
      if (owner.sessionId === this.#me.sessionId) this.#owners.delete(xid);
  }

  /** Statement index → what its OK changes (an xid started or ended), or undefined when none. */
  onOk(statements: readonly (readonly Token[])[]): Map<number, () => void> | undefined {
    const changes = new Map<number, () => void>();
    statements.forEach((tokens, i) => {
      const xa = parseXa(tokens);
      const xid = xa?.xid;
      if (xid === null || xid === undefined) return;
      // The server said the xid is this session's now: whoever held it before has ended it.
      if (xa!.verb === 'start')
        changes.set(i, () => {
          if (this.#owners.has(xid) || this.#owners.size < MAX_OWNED) this.#owners.set(xid, this.#me);
        });
      else if (xa!.verb === 'commit' || xa!.verb === 'rollback')
        changes.set(i, () => {
          if (this.#mine(xid)) this.#owners.delete(xid);
        });
    });
    return changes.size > 0 ? changes : undefined;
  }
}
