// One batch of drafts turned into ledger entries (recorder.ts): each event's sequence number,
// payload hash and chain hash assigned on top of the committed session heads, or on top of the
// heads of a batch still being written. The heads after the batch become the committed heads only
// once the store has written it.

import { canonicalJson, rememberCanonical } from '../core/canonical-json.js';
import { VigilError } from '../core/errors.js';
import type { EventDraft, Identity, RecordedEvent } from '../core/events.js';
import type { SessionMeta } from '../core/ports.js';
import { chainHashOf, encodeHeaderWith, sha256Hex } from './chain.js';

export interface Pending {
  readonly draft: EventDraft;
  readonly protocol: string | undefined;
  resolve(event: RecordedEvent): void;
  reject(err: unknown): void;
}

export interface Head {
  readonly nextSeq: number;
  readonly lastHash: string;
}

/** What a prepared event needs beyond its draft; the index is given when the batch is written. */
interface Chained {
  readonly seq: number;
  readonly payloadHash: string;
  readonly prevHash: string;
  readonly hash: string;
}

export class PreparedBatch {
  readonly pendings: Pending[] = [];
  /** Sessions whose first event is in the batch. */
  readonly sessions: SessionMeta[] = [];
  /** Each session's head after the batch, for the sessions it holds events of. */
  readonly heads = new Map<string, Head>();
  /** When its preparation began: a commit's duration is told from there. */
  readonly started = performance.now();
  readonly #chained: Chained[] = [];

  /** A batch being written that this one continues: its heads come before the committed ones. */
  #underneath: PreparedBatch | undefined;

  constructor(
    /** The committed heads the recorder knows (others are read from the store). */
    private readonly committed: ReadonlyMap<string, Head>,
    private readonly replica: string | undefined,
    private readonly encodedIdentity: (identity: Identity) => string,
    underneath?: PreparedBatch,
  ) {
    this.#underneath = underneath;
  }

  /**
   * The batch underneath has committed (its heads are now among the committed ones): let go of it,
   * so that batches never hold a chain of their predecessors.
   */
  underneathCommitted(): void {
    this.#underneath = undefined;
  }

  get size(): number {
    return this.pendings.length;
  }

  /** The head the session's next event in this batch continues, or undefined when not known here. */
  head(sessionId: string): Head | undefined {
    return this.heads.get(sessionId) ?? this.#underneath?.head(sessionId) ?? this.committed.get(sessionId);
  }

  /**
   * Chains the draft onto `before`, the session's head (head(), or read from the store). Throws,
   * leaving the batch as it was, when the draft cannot be encoded.
   */
  add(pending: Pending, before: Head): void {
    const { draft } = pending;
    assertStorableText(draft);
    const payloadText = canonicalJson(draft.payload);
    // The store encodes the payload again to write it: let it reuse this text.
    rememberCanonical(draft.payload, payloadText);
    const payloadHash = sha256Hex(payloadText);
    const seq = before.nextSeq;
    const header = encodeHeaderWith(
      draft.type,
      draft.sessionId,
      seq,
      draft.time,
      draft.connection,
      this.encodedIdentity(draft.identity),
      payloadHash,
    );
    const hash = chainHashOf(before.lastHash, header);
    if (seq === 0) {
      this.sessions.push({
        id: draft.sessionId,
        protocol: pending.protocol ?? 'unknown',
        ...(this.replica === undefined ? {} : { replica: this.replica }),
      });
    }
    this.pendings.push(pending);
    this.#chained.push({ seq, payloadHash, prevHash: before.lastHash, hash });
    this.heads.set(draft.sessionId, { nextSeq: seq + 1, lastHash: hash });
  }

  /** The batch's events at global indexes from `first` on (the hashes do not cover the index). */
  eventsFrom(first: number): RecordedEvent[] {
    return this.pendings.map(({ draft }, i) => {
      const c = this.#chained[i]!;
      return {
        type: draft.type,
        sessionId: draft.sessionId,
        connection: draft.connection,
        identity: draft.identity,
        time: draft.time,
        payload: draft.payload,
        seq: c.seq,
        index: first + i,
        payloadHash: c.payloadHash,
        prevHash: c.prevHash,
        hash: c.hash,
      };
    });
  }
}

/** Any UTF-16 surrogate: a cheap first look (names are nearly always without one). */
const SURROGATE = /[\ud800-\udfff]/;
/** A surrogate outside a pair, which UTF-8 cannot encode. */
const LONE_SURROGATE = /\p{Cs}/u;

/**
 * The header's texts that a store keeps in columns of their own (session id, connection, and the
 * identity's subject, denormalised beside the identity) must be ones UTF-8 can hold: a lone
 * surrogate is written as other text (SQLite keeps its bytes and reads them back as three U+FFFD),
 * so the event, hashed over the original, read as altered to every verification after: a
 * `hash_mismatch` and a `session_mismatch` on an honest ledger, for good, from one user whose
 * identity provider lets them pick their name (a JSON id_token may spell `\ud800`). Until
 * 6 December such a draft was recorded; it is now refused (`record_failed`), so its action does not
 * run (test/ledger/attacker-dec6-lone-surrogate.test.ts). The identity itself and the payload are
 * stored as JSON, whose escapes keep every code unit, and are not concerned.
 */
function assertStorableText(draft: EventDraft): void {
  for (const [name, text] of [
    ['session id', draft.sessionId],
    ['connection', draft.connection],
    ['subject', draft.identity.subject],
  ] as const) {
    if (SURROGATE.test(text) && LONE_SURROGATE.test(text)) {
      throw new VigilError(
        'record_failed',
        `the event's ${name} holds a lone UTF-16 surrogate, which the ledger cannot store as it hashes it`,
      );
    }
  }
}
