// The admin API's JSON, as the console reads it. Shapes defined by the gateway are imported as
// types from its pure modules (no code of theirs ends up in the bundle).
import type { Identity, JsonObject, StoredEvent } from '../../src/core/events.js';
import type { ReasoningEvaluation, ReasoningNode, ReasoningTree } from '../../src/reasoning/types.js';

export type { Identity, JsonObject, JsonValue, StoredEvent } from '../../src/core/events.js';
export type {
  ReasoningEdge,
  ReasoningEvaluation,
  ReasoningNode,
  ReasoningTree,
} from '../../src/reasoning/types.js';

export interface Whoami {
  readonly identity: Identity;
  readonly roles: readonly string[];
  readonly expires_at: string | null;
}

export interface SessionSummary {
  readonly id: string;
  readonly connection: string;
  readonly protocol: string;
  readonly identity: Identity;
  readonly startedAt: string;
  readonly lastEventAt: string;
  readonly endedAt: string | null;
  readonly endReason: string | null;
  readonly eventCount: number;
}

export interface SessionPage {
  readonly sessions: SessionSummary[];
  readonly next_until: string | null;
  readonly next_after_id: string | null;
}

export interface SessionEvents {
  readonly session: SessionSummary;
  readonly events: StoredEvent[];
}

export interface ActionLink {
  readonly actionSessionId: string;
  readonly actionSeq: number;
  readonly actionType: string;
  readonly action: string;
  readonly nodeId: string;
  readonly evidence: string;
  readonly confidence: number;
}

export interface SessionTree {
  readonly sessionId: string;
  readonly tree: ReasoningTree;
  readonly actions: ActionLink[];
}

/** The tree without texts, evaluations or alternative parents (thoughts cut to labels), and its outcome path. */
export interface SessionTreeOutline extends SessionTree {
  readonly outline: true;
  readonly path: string[];
  /** The outline's `tree.evaluations` is empty: each node's come with the node. */
  readonly evaluationCount: number;
}

/** One node opened in full, with what judged it and what it proposed. */
export interface TreeNodeDetail {
  readonly sessionId: string;
  readonly node: ReasoningNode;
  readonly evaluations: ReasoningEvaluation[];
  readonly actions: ActionLink[];
}

export interface LedgerFault {
  readonly kind: string;
  readonly message: string;
  readonly index?: number;
}

export interface BundleReport {
  readonly ok: boolean;
  readonly fault: LedgerFault | null;
  readonly session: string | null;
  readonly events: number;
  readonly purged: number;
  readonly complete: boolean;
  readonly checkpoint: { readonly size: number; readonly time: string; readonly keyId?: string } | null;
}

export interface ApprovalRecord {
  readonly id: string;
  readonly kind: string;
  readonly status: string;
  readonly requester: Identity;
  readonly connection: string;
  readonly sessionId: string;
  readonly rule: string | null;
  readonly reason: string;
  readonly subject: JsonObject;
  readonly approvers: readonly string[];
  readonly required: number;
  readonly createdAt: string;
  readonly expiresAt: string;
  readonly actionDigest: string | null;
}

export interface GrantRecord {
  readonly id: string;
  readonly subject: string;
  /** The grantee's kind: the user `deploy` and the service account `deploy` hold different grants. */
  readonly subjectKind: Identity['kind'];
  readonly connection: string;
  readonly breakGlass: boolean;
  readonly reason: string;
  readonly createdAt: string;
  readonly expiresAt: string;
  readonly revokedAt: string | null;
  readonly revokedBy?: string | null;
}

import type { TerminalPlayback as RecordedTerminal } from '../../src/core/terminal-recording.js';

/** GET /api/sessions/:id/terminal: the recording, and the commands the client asked to run (ssh.exec). */
export interface TerminalPlayback extends RecordedTerminal {
  readonly ran: readonly { readonly command: string; readonly seq: number }[];
}
