// The contract every protocol module fulfils: what Teleport calls an engine and Warpgate a protocol
// server. A module is one folder under src/protocols and one line in src/protocols/index.ts; the
// server, the CLI and policy know protocols only through this interface.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { Command } from 'commander';
import type { z } from 'zod';
import type { ActionEventType, ActionFacts } from '../core/actions.js';
import type { ConnectionConfig } from '../core/config.js';
import type { EventType, JsonObject } from '../core/events.js';
import type { ModuleStateStore } from '../core/ports.js';
import type { SqlReading } from '../mask/index.js';
import type { ModuleContext } from '../pipeline/module-context.js';
import type { Guard } from '../pipeline/policy.js';

export interface ProtocolModule {
  /** Short and stable: 'llm', 'postgres'. */
  readonly name: string;
  /** The connection types it serves (the `type:` in vigil.yaml), each a schema extending core's `connectionBase`. */
  readonly connectionTypes: Readonly<Record<string, z.ZodObject>>;
  /** The action events it submits. */
  readonly actionEvents: readonly ActionEventType[];
  /**
   * How its SQL statements' quoted strings read (PostgreSQL's way, or MySQL's backslash escapes and
   * "…" strings), so the masker binds values to columns as the server will; both when absent.
   */
  readonly sqlReading?: SqlReading;
  /** How one of its actions reads to policy; null for an event it does not emit. */
  describeAction(type: EventType, payload: JsonObject): ActionFacts | null;
  /** Guards it adds to the shared policy stage for its connections (SQL guardrails). */
  guards?(connections: readonly ConnectionConfig[]): Promise<readonly Guard[]> | readonly Guard[];
  /** What `vigil policy test` can build for it from the command line. */
  readonly samples?: readonly SampleAction[];
  /**
   * Fills in what the adapter adds to an action written by hand (`vigil policy test --event`),
   * such as a statement's classification; returns the payload unchanged when nothing is missing.
   */
  completeAction?(type: EventType, payload: JsonObject): Promise<JsonObject>;
  /**
   * Starts serving its connections. A module maps VigilErrors to its own wire format (an HTTP
   * status and JSON envelope, an ErrorResponse with a SQLSTATE) and never re-implements a stage.
   */
  start(ctx: ModuleContext, connections: readonly ConnectionConfig[]): Promise<StartedModule>;
  /** Subcommands of `vigil` for this protocol's administration (`vigil mcp tools`). */
  readonly cli?: ModuleCommands;
}

/**
 * What the CLI hands a module's subcommands: the configuration, a record in the ledger and the
 * module state, never the rest of the store.
 */
export interface ModuleCliContext {
  /** The configured connections and the data directory (--config, --data), read when a command runs. */
  config(): { readonly connections: readonly ConnectionConfig[]; readonly dataDir: string };
  /** Runs `body` with the configured store's module state (opened for it, closed after). */
  withModuleState<T>(body: (state: ModuleStateStore) => Promise<T>): Promise<T>;
  /** Records an administrative act in the ledger as the local operator (an admin.action event). */
  recordAdminAction(facts: JsonObject): Promise<void>;
  /** The local operator as recorded (`local:user@host`). */
  readonly operator: string;
  /** A plain-text table whose cells are made inert (the CLI's own formatter). */
  table(rows: readonly (readonly string[])[]): string;
  setExitCode(code: number): void;
}

export interface ModuleCommands {
  register(program: Command, ctx: ModuleCliContext): void;
}

/**
 * A request a client sends whole as its first bytes and that takes no login (PostgreSQL's
 * CancelRequest), served even while the listener's login slots are full.
 */
export interface QuickRequest {
  /** Its length: all of it is in once this many bytes are. */
  readonly bytes: number;
  /**
   * Whether a connection's first bytes (fewer than `bytes` while more are coming, at most `bytes`)
   * can be, or begin, such a request: false as soon as they cannot.
   */
  matches(head: Buffer): boolean;
}

/**
 * A connection served on a port of its own: the server binds it and hands the module each socket.
 * The server also bounds the connections still logging in (`listeners` in vigil.yaml): it counts
 * each from accept until the promise accept returns settles or the socket closes, turns away those
 * beyond the limit, and closes a login that takes longer than the timeout.
 */
export interface TcpMount {
  readonly connection: string;
  /** HOST:PORT to bind. */
  readonly listen: string;
  /**
   * Serves one client. The promise settles once its login is over: the client is authenticated
   * and served, or was refused. A module that returns nothing has no login the server can see,
   * and its connections are neither counted nor timed.
   */
  accept(socket: Socket): Promise<void> | void;
  /**
   * What a client turned away because too many are logging in is sent before its socket closes,
   * in the protocol's own words (PostgreSQL's SQLSTATE 53300, MySQL's error 1040); without it
   * the socket is just closed, as OpenSSH does past MaxStartups.
   */
  readonly tooManyLogins?: Buffer;
  /**
   * A request still served past the bounds on logins, with no slot taken: a connection turned away
   * gets a short window to send it first, and is handed to `accept` with those bytes unread if it
   * does (docs/protocols.md#connections-still-logging-in). `accept` must then end the connection
   * without a login.
   */
  readonly quickRequest?: QuickRequest;
}

/** A connection served under /c/<connection>/ on the gateway's HTTP listener. */
export type HttpMount = (
  req: IncomingMessage,
  res: ServerResponse,
  path: string,
  search: string,
) => Promise<void>;

/**
 * A document a connection publishes at the host's well-known location for a resource under its
 * mount (RFC 8615; e.g. RFC 9728's /.well-known/oauth-protected-resource/c/<connection>/mcp).
 * `document` is the well-known name, `resourcePath` the path after /c/<connection>. Returns false
 * when the connection has no such document (the server then answers route_unknown).
 */
export type WellKnownMount = (
  req: IncomingMessage,
  res: ServerResponse,
  document: string,
  resourcePath: string,
) => boolean;

export interface StartedModule {
  readonly tcp?: readonly TcpMount[];
  readonly http?: ReadonlyMap<string, HttpMount>;
  /** Host-level well-known documents, by connection. */
  readonly wellKnown?: ReadonlyMap<string, WellKnownMount>;
  /** Stops the module's own resources (upstream pools); the server closes the listeners and sockets. */
  close(): Promise<void>;
}

/** One `vigil policy test` input a module understands, e.g. `--sql TEXT` for a database. */
export interface SampleAction {
  /** The option name without dashes: `sql` for --sql <text>. */
  readonly option: string;
  readonly description: string;
  /** Options that refine it (name → description); a repeatable one collects every value. */
  readonly refinements?: Readonly<
    Record<string, { readonly description: string; readonly repeatable?: boolean }>
  >;
  /** The action the module's adapter would submit for this input on this connection. */
  build(
    connection: ConnectionConfig,
    text: string,
    refinements: Readonly<Record<string, string | readonly string[] | undefined>>,
  ): Promise<{ readonly type: ActionEventType; readonly payload: JsonObject }>;
}
