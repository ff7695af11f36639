// Actions: the events a protocol submits on their way to a target (a prompt, a statement, a
// command, a tool call), which policy judges and approvals hold. One list for every layer; each
// protocol module says which of them it emits and how one of its actions reads to policy.
import type { EventType, JsonObject } from './events.js';

export const ACTION_EVENT_TYPES = [
  'llm.request',
  'db.query',
  'ssh.exec',
  'ssh.command',
  'ssh.file',
  'ssh.forward',
  'mcp.call',
  // What a client asks an MCP server for beyond tools: a resource, a prompt with its arguments,
  // completions of what a user is typing.
  'mcp.read',
  'mcp.prompt',
  'mcp.completion',
  // What a client sends an MCP server when the server asks: its model's completion, what its user
  // typed into a form, its roots.
  'mcp.client_answer',
  'http.request',
] as const;
export type ActionEventType = (typeof ACTION_EVENT_TYPES)[number];

/**
 * Actions a model turn can propose and a client then runs against a target: everything but a model
 * request, and an MCP client's answer (the server asked for it; no model turn proposes it).
 */
export const TARGET_ACTION_TYPES: readonly ActionEventType[] = ACTION_EVENT_TYPES.filter(
  (t) => t !== 'llm.request' && t !== 'mcp.client_answer',
);

export function isActionEventType(type: string): type is ActionEventType {
  return (ACTION_EVENT_TYPES as readonly string[]).includes(type);
}

/** What a policy rule can see of an action. */
export interface ActionFacts {
  /** The prompt, statement, command or call a `pattern` is matched against ('' when none). */
  readonly text: string;
  /**
   * Other readings of the same action a target might make (an HTTP path in another case, say):
   * a deny, review or alert pattern matching any of them matches, an allow pattern only `text`.
   */
  readonly alternateTexts: readonly string[];
  /**
   * The target may read the text ignoring case (an HTTP router that matches routes so): a deny,
   * review or alert pattern written with capitals (`^POST /V1/Payouts`) is also matched ignoring
   * case, since lower-cased readings alone would not meet it; an allow pattern is matched as written.
   */
  readonly targetIgnoresCase: boolean;
  /** Statement kinds of a database action, upper case, one per distinct kind. */
  readonly statementKinds: readonly string[];
  /** Tables a database action touches, as the parser named them (`name` or `schema.name`). */
  readonly tables: readonly string[];
  /** The model a model request names (null for any other action, and for a request that names none). */
  readonly model: string | null;
  /**
   * A model request that names no model, so the upstream picks one (a stored prompt's model, a
   * server's default): a deny, review or alert rule on models matches it, an allow rule does not.
   */
  readonly modelLeftToUpstream: boolean;
  /**
   * The action carries input its target reads as text but a pattern cannot (a prompt given as
   * token ids): a deny, review or alert pattern matches it, fail closed; an allow pattern does not.
   */
  readonly unreadableText: boolean;
  /** Tools offered to or called by a model, or the tool an MCP call runs. */
  readonly tools: readonly string[];
  /** The tools other readings run (alternateTexts): a deny, review or alert rule on tools holds them too. */
  readonly alternateTools: readonly string[];
}

export const NO_FACTS: ActionFacts = Object.freeze({
  text: '',
  alternateTexts: [],
  targetIgnoresCase: false,
  statementKinds: [],
  tables: [],
  model: null,
  modelLeftToUpstream: false,
  unreadableText: false,
  tools: [],
  alternateTools: [],
});

/**
 * Reads an action's payload for policy. Payloads come from clients, so a describer reads every
 * field defensively and never throws; what it cannot read is simply absent.
 */
export type ActionDescriber = (type: EventType, payload: JsonObject) => ActionFacts;
