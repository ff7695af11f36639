// What the recording routes ask of reasoning trees, serialized for the answer: the outline the
// console draws, one node, the whole tree, an outcome path. LocalTrees builds them in this thread
// from the store and keeps the last few (TreeCache); the gateway runs one inside a worker thread
// (src/server/trees/) so a 10,000-call rebuild, seconds of CPU, never stalls the data path.
import type { SessionSummary } from '../../core/events.js';
import type { Store } from '../../core/ports.js';
import type { ModuleStateStore } from '../../core/replica-ports.js';
import { JsonText } from '../../http/json-response.js';
import { purgeGeneration } from '../../ledger/purge-generation.js';
import {
  actionEventsAround,
  outcomePath,
  type SessionPathJson,
  type SessionTreeJson,
  sessionTreeJson,
  TREE_EVENTS,
} from '../../reasoning/index.js';
import { TreeCache } from './tree-cache.js';
import { treeNode, treeOutline } from './tree-outline.js';

/** The session a tree is asked for: who may read it is checked before (readableSession). */
export type TreeSession = Pick<
  SessionSummary,
  'id' | 'identity' | 'startedAt' | 'lastEventAt' | 'eventCount'
>;

export interface TreeReader {
  outline(session: TreeSession): Promise<JsonText>;
  /** Throws VigilError `usage` when the node is not in the tree. */
  node(session: TreeSession, nodeId: string): Promise<JsonText>;
  full(session: TreeSession): Promise<JsonText>;
  /** The outcome path, to `nodeId` when given (VigilError `usage` when it is not in the tree). */
  path(session: TreeSession, nodeId?: string): Promise<JsonText>;
  /** Builds the session's tree ahead of its first reader; resolves once it is kept. */
  prebuild(sessionId: string): Promise<void>;
  /** Whether the session's tree, in this state, is built and kept (a reader would not wait). */
  holds(session: TreeSession): Promise<boolean>;
  close(): Promise<void>;
}

export async function buildSessionTree(store: Store, session: TreeSession): Promise<SessionTreeJson> {
  return sessionTreeJson(
    session.id,
    // Only what the tree reads (TREE_EVENTS): a cold 10,000-call tree is mostly this read.
    await store.readSessionContent(session.id, TREE_EVENTS),
    await actionEventsAround(store, session),
  );
}

export class LocalTrees implements TreeReader {
  readonly #store: Store;
  readonly #state: ModuleStateStore;
  readonly #trees: TreeCache;
  // The outline's 3.5 MB of JSON for a 10,000-call tree, made once per kept tree.
  readonly #outlines = new WeakMap<SessionTreeJson, JsonText>();

  /** `state` says when payloads were purged: a tree kept from before a purge is never served. */
  constructor(store: Store, state: ModuleStateStore, size?: number) {
    this.#store = store;
    this.#state = state;
    this.#trees = new TreeCache(size);
  }

  async #tree(session: TreeSession): Promise<SessionTreeJson> {
    // Taken before the events are read: a purge that drops payloads after the read changes it.
    const generation = await purgeGeneration(this.#state);
    return this.#trees.get(session, () => buildSessionTree(this.#store, session), generation);
  }

  async outline(session: TreeSession): Promise<JsonText> {
    const json = await this.#tree(session);
    let text = this.#outlines.get(json);
    if (!text) {
      text = new JsonText(JSON.stringify(treeOutline(json)));
      this.#outlines.set(json, text);
    }
    return text;
  }

  async node(session: TreeSession, nodeId: string): Promise<JsonText> {
    return new JsonText(JSON.stringify(treeNode(await this.#tree(session), nodeId)));
  }

  async full(session: TreeSession): Promise<JsonText> {
    return new JsonText(JSON.stringify(await this.#tree(session)));
  }

  async path(session: TreeSession, nodeId?: string): Promise<JsonText> {
    const { tree } = await this.#tree(session);
    const body: SessionPathJson = { sessionId: session.id, path: outcomePath(tree, nodeId) };
    return new JsonText(JSON.stringify(body));
  }

  async prebuild(sessionId: string): Promise<void> {
    const session = await this.#store.getSession(sessionId);
    if (session) await this.outline(session);
  }

  async holds(session: TreeSession): Promise<boolean> {
    return this.#trees.holds(session, await purgeGeneration(this.#state));
  }

  async close(): Promise<void> {}
}
