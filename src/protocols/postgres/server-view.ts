// What the server will make of the next message, as far as it has confirmed it: the portal an
// Execute will run, whether the settings that decide how text is read are all reported, and the
// texts a statement runs by name (EXECUTE s, FETCH c). Where the answers Vigil needs are still on
// their way, it asks the server to send them (a Flush) and waits; where they cannot come in time,
// the caller refuses. Used by the proxy (proxy-session.ts) before it judges a statement.
import type { NamedStatementText } from '../../core/db-payloads.js';
import { VigilError } from '../../core/errors.js';
import { checkSettingChanges, readsAlikeUnderAnySetting } from './lexical-settings.js';
import { type RunByName, statementsRunByName } from './named-references.js';
import { settingsOf, settingsUnreported } from './query-payloads.js';
import { readOnlyTextRefusal, readOnlyUnreported } from './read-only-settings.js';
import type { ResponseTracker } from './response-tracker.js';
import type { SqlClassifier, StatementClass } from './sql-classifier.js';
import { type KnownPortal, type PendingChange, portalAfter, type StatementState } from './statement-state.js';

/** What a text will run, as the server holds what it names. */
export interface TextJudgment {
  /** The text's own statements. */
  readonly own: readonly StatementClass[];
  /** What the record names: the text's own statements and, once known, those it runs by name. */
  readonly statements: readonly StatementClass[];
  /** The prepared texts behind the statements it runs by name (EXECUTE s), for the record. */
  readonly named: readonly NamedStatementText[];
  /**
   * Why the text is refused before policy sees it: a statement it runs by name that Vigil cannot
   * judge, a change to a pinned setting, or on a read-only connection a text that could run part
   * of itself read-write (read-only-settings.ts). Null when policy judges it.
   */
  readonly refusal: VigilError | null;
}

export class ServerView {
  readonly #tracker: ResponseTracker;
  readonly #state: StatementState;
  readonly #classifier: SqlClassifier;
  readonly #allowUnknownStatements: boolean;
  /** A read-only connection: what runs next depends on a default any statement may lift (read-only-settings.ts). */
  readonly #readOnly: boolean;
  /** Sends a Flush: the server answers every message it has read so far. */
  readonly #askForAnswers: () => void;

  constructor(
    tracker: ResponseTracker,
    state: StatementState,
    classifier: SqlClassifier,
    allowUnknownStatements: boolean,
    readOnly: boolean,
    askForAnswers: () => void,
  ) {
    this.#tracker = tracker;
    this.#state = state;
    this.#classifier = classifier;
    this.#allowUnknownStatements = allowUnknownStatements;
    this.#readOnly = readOnly;
    this.#askForAnswers = askForAnswers;
  }

  /**
   * The portal an Execute of batch `batch` will run, as the server's state will be when it gets
   * there. Pending Parse, Bind and Close messages of the Execute's own batch are applied as if they
   * succeed (if one fails, the server skips the Execute too). Pending ones of an earlier batch may
   * have failed while the server went on, so for those Vigil asks for the answers and waits.
   */
  async portalForExecute(portal: string, batch: number): Promise<KnownPortal | undefined> {
    if (this.#tracker.pendingStateChanges().some((e) => e.batch !== batch)) {
      this.#askForAnswers();
      await this.#tracker.stateSettled();
    }
    return this.portalNow(portal);
  }

  /** The portal as the server's state will be, with pending changes applied as if they succeed. */
  portalNow(portal: string): KnownPortal | undefined {
    return portalAfter(this.#state, this.#tracker.pendingStateChanges() as PendingChange[], portal);
  }

  /**
   * Whether the server could read this text under other settings than Vigil does: it reads
   * differently under another setting, and an earlier statement's changes are not reported yet.
   * On a read-only connection a text that `runs` now (a Query) is unsure whatever it reads like: it
   * could run after an earlier statement lifted the read-only default unseen.
   */
  settingsUnsure(text: string, runs: boolean): boolean {
    return (
      this.#tracker.settings.unreported > 0 && ((this.#readOnly && runs) || !readsAlikeUnderAnySetting(text))
    );
  }

  /**
   * On a read-only connection, whether the first Execute of a batch must wait for the reports of
   * earlier batches (settingsSettled): it starts a new transaction under a default one of them may
   * have lifted. Later Executes of the batch run in that same transaction (judge() refuses
   * transaction control among them, which would end it).
   */
  readOnlyUnsure(): boolean {
    return this.#readOnly && this.#tracker.settings.unreported > 0 && !this.#tracker.settings.batchOpen;
  }

  /**
   * Waits until the server has reported the settings every earlier statement left (the report
   * precedes ReadyForQuery; a setting Vigil does not read ends the session there). When an
   * Execute of the batch now being sent is among them, its report comes only after the server
   * has read this text: Vigil cannot know the reading, and the refusal is returned.
   */
  async settingsSettled(): Promise<VigilError | null> {
    if (this.#tracker.settings.batchOpen) return this.#readOnly ? readOnlyUnreported() : settingsUnreported();
    await this.#tracker.settings.settled();
    return null;
  }

  /** A text's statements with those it runs by name, and whether policy may judge them. */
  async judge(text: string): Promise<TextJudgment> {
    const own = this.#classifier.classify(text);
    const byName = await this.runByName(text);
    if (byName instanceof VigilError) return { own, statements: own, named: [], refusal: byName };
    const statements = byName.statements.length === 0 ? own : [...own, ...byName.statements];
    const refusal =
      checkSettingChanges(settingsOf(statements)) ??
      (this.#readOnly ? readOnlyTextRefusal(statements, this.#tracker.settings.batchOpen) : null);
    return { own, statements, named: byName.named, refusal };
  }

  /**
   * What a text runs by name (EXECUTE s, FETCH c), judged as the texts the server holds under
   * those names once it has answered every Parse, Bind and Close sent before.
   */
  async runByName(text: string): Promise<RunByName | VigilError> {
    const refs = this.#classifier.namedReferences(text);
    if (!refs) return { statements: [], named: [] };
    if (this.#tracker.unconfirmedStateChanges > 0) {
      this.#askForAnswers();
      await this.#tracker.stateSettled();
    }
    return statementsRunByName(refs, this.#state, this.#classifier, this.#allowUnknownStatements);
  }
}
