// Statements, commands, tool calls and HTTP API calls as spans, after the database, RPC/MCP and
// HTTP semantic conventions. Events are fed in session order: an action opens a span, the event
// that answers it (db.result, ssh.exit, mcp.result, http.response) closes it; a db.cancel is an
// event on the statement span it stops. Texts the client wrote (statements, command lines, tool
// arguments, queries) appear only when content is on.
import type { StoredEvent } from '../core/events.js';
import { notBefore, num, obj, type PlannedSpan, put, type SpanAttributes, str } from './span-plan.js';

/** db.system.name by the session's protocol; another database protocol reports its own name. */
const DB_SYSTEMS: Record<string, string> = { postgres: 'postgresql', mysql: 'mysql' };

const MCP_METHODS: Record<string, string> = {
  'mcp.call': 'tools/call',
  'mcp.read': 'resources/read',
  'mcp.prompt': 'prompts/get',
};

export class ActionSpans {
  readonly spans: PlannedSpan[] = [];
  readonly #protocol: string;
  readonly #content: boolean;
  /** The statement whose results are arriving (results follow their statement in the session). */
  #statement: PlannedSpan | null = null;
  readonly #byChannel = new Map<number, PlannedSpan[]>();
  readonly #byId = new Map<string, PlannedSpan>();
  /** Spans nothing has ended yet: they end with the session. */
  readonly #unended = new Set<PlannedSpan>();

  constructor(protocol: string, content: boolean) {
    this.#protocol = protocol;
    this.#content = content;
  }

  /** Feeds one event; returns the span it opened, if it is an action. */
  add(e: StoredEvent): PlannedSpan | null {
    const p = e.payload;
    if (!p) return null;
    switch (e.type) {
      case 'db.query':
        return this.#open(this.#dbQuery(e));
      case 'db.result':
        this.#dbResult(e);
        return null;
      case 'db.cancel':
        this.#dbCancel(e);
        return null;
      case 'ssh.exec':
      case 'ssh.command':
        return this.#open(this.#ssh(e));
      case 'ssh.exit':
        this.#sshExit(e);
        return null;
      case 'mcp.call':
      case 'mcp.read':
      case 'mcp.prompt':
        return this.#open(this.#mcp(e));
      case 'mcp.result':
        this.#mcpResult(e);
        return null;
      case 'http.request':
        return this.#open(this.#http(e));
      case 'http.response':
        this.#httpResponse(e);
        return null;
      default:
        return null;
    }
  }

  #open(span: PlannedSpan): PlannedSpan {
    this.spans.push(span);
    this.#unended.add(span);
    return span;
  }

  /** Ends a span at `time` (its answer, its refusal). */
  settle(span: PlannedSpan, time: string): void {
    span.end = notBefore(time, span.start);
    this.#unended.delete(span);
  }

  #base(e: StoredEvent, name: string, attributes: SpanAttributes): PlannedSpan {
    attributes['vigil.event.seq'] = e.seq;
    return {
      key: `event:${e.seq}`,
      parent: null,
      name,
      kind: 'client',
      start: e.time,
      end: e.time,
      attributes,
      events: [],
      links: [],
      error: null,
    };
  }

  #dbQuery(e: StoredEvent): PlannedSpan {
    const p = e.payload!;
    const system = DB_SYSTEMS[this.#protocol] ?? this.#protocol;
    const classification = obj(p.classification);
    const statements =
      classification && Array.isArray(classification.statements) ? classification.statements : [];
    const top = statements.map((s) => obj(s)).filter((s) => s !== null && s.nested !== true);
    const kinds = top.map((s) => str(s!.kind)).filter((k) => k !== null && k !== 'UNKNOWN') as string[];
    const tables = [...new Set(top.flatMap((s) => (Array.isArray(s!.tables) ? s!.tables : [])).map(String))];
    const attributes: SpanAttributes = { 'db.system.name': system };
    const operation = kinds.length === 1 ? kinds[0]! : kinds.length > 1 ? `BATCH ${kinds[0]}` : null;
    put(attributes, 'db.operation.name', operation);
    if (top.length > 1) attributes['db.operation.batch.size'] = top.length;
    // Table names come from the parser, not the client's text: low-cardinality and never values.
    if (tables.length === 1) attributes['db.collection.name'] = tables[0]!;
    if (this.#content) put(attributes, 'db.query.text', str(p.statement));
    const name = operation ? (tables.length === 1 ? `${operation} ${tables[0]}` : operation) : system;
    const span = this.#base(e, name, attributes);
    this.#statement = span;
    return span;
  }

  #dbResult(e: StoredEvent): void {
    const span = this.#statement;
    if (!span) return;
    const p = e.payload!;
    this.settle(span, e.time);
    const rows = num(p.row_count);
    if (rows !== null) {
      const before =
        typeof span.attributes['db.response.returned_rows'] === 'number'
          ? span.attributes['db.response.returned_rows']
          : 0;
      span.attributes['db.response.returned_rows'] = before + rows;
    }
    const sqlstate = str(p.sqlstate);
    if (sqlstate) {
      span.attributes['db.response.status_code'] = sqlstate;
      span.attributes['error.type'] = sqlstate;
      span.error = `SQLSTATE ${sqlstate}`;
    }
  }

  /** A cancel is an event on the statement it stops (its result, 57014, ends the span). */
  #dbCancel(e: StoredEvent): void {
    const span = this.#statement;
    if (!span || !this.#unended.has(span)) return;
    const p = e.payload!;
    const attributes: SpanAttributes = { 'vigil.db.cancel.held': p.held === true };
    put(attributes, 'client.address', str(p.peer));
    span.events.push({ name: 'vigil.db.cancel', time: e.time, attributes });
  }

  #ssh(e: StoredEvent): PlannedSpan {
    const p = e.payload!;
    const channel = num(p.channel) ?? 0;
    const attributes: SpanAttributes = { 'vigil.ssh.channel': channel };
    const subsystem = str(p.subsystem);
    put(attributes, 'vigil.ssh.subsystem', subsystem);
    if (p.shell === true) attributes['vigil.ssh.shell'] = true;
    if (this.#content) put(attributes, 'process.command_line', str(p.command) || null);
    const kind =
      e.type === 'ssh.command' ? 'command' : subsystem ? 'subsystem' : p.shell === true ? 'shell' : 'exec';
    const span = this.#base(e, `ssh ${kind}`, attributes);
    // A shell line ends where the next line of its channel starts, or with the channel.
    const open = this.#byChannel.get(channel) ?? [];
    const previous = open.at(-1);
    if (e.type === 'ssh.command' && previous?.name === 'ssh command' && this.#unended.has(previous))
      this.settle(previous, e.time);
    open.push(span);
    this.#byChannel.set(channel, open);
    return span;
  }

  #sshExit(e: StoredEvent): void {
    const p = e.payload!;
    const channel = num(p.channel) ?? 0;
    for (const span of this.#byChannel.get(channel) ?? []) {
      if (span.name === 'ssh command') {
        if (this.#unended.has(span)) this.settle(span, e.time);
        continue;
      }
      this.settle(span, e.time);
      const status = num(p.exit_status);
      put(span.attributes, 'process.exit.code', status);
      const signal = str(p.signal);
      if (signal) span.error = `signal ${signal}`;
      else if (status !== null && status !== 0) span.error = `exit status ${status}`;
      if (span.error) span.attributes['error.type'] = signal ? 'signal' : String(status);
    }
    this.#byChannel.delete(channel);
  }

  #mcp(e: StoredEvent): PlannedSpan {
    const p = e.payload!;
    // A resource subscription is an mcp.read whose method names it (resources/subscribe).
    const method = typeof e.payload?.method === 'string' ? e.payload.method : MCP_METHODS[e.type]!;
    const attributes: SpanAttributes = { 'mcp.method.name': method, 'rpc.system': 'jsonrpc' };
    put(attributes, 'rpc.jsonrpc.request_id', str(p.request_id));
    const tool = str(p.tool);
    if (tool) {
      attributes['gen_ai.operation.name'] = 'execute_tool';
      attributes['gen_ai.tool.name'] = tool;
      put(attributes, 'gen_ai.tool.call.id', str(p.call_id));
      if (this.#content && p.arguments !== undefined)
        attributes['gen_ai.tool.call.arguments'] = JSON.stringify(p.arguments);
    }
    const span = this.#base(e, tool ? `${method} ${tool}` : method, attributes);
    const id = str(p.call_id) ?? str(p.read_id);
    if (id) this.#byId.set(id, span);
    return span;
  }

  #mcpResult(e: StoredEvent): void {
    const p = e.payload!;
    const id = str(p.call_id) ?? str(p.read_id);
    const span = id ? this.#byId.get(id) : undefined;
    if (!span) return;
    this.#byId.delete(id!);
    this.settle(span, e.time);
    const failure = obj(p.error);
    if (failure) {
      const code = num(failure.code);
      put(span.attributes, 'rpc.jsonrpc.error_code', code);
      span.attributes['error.type'] = code !== null ? String(code) : (str(failure.code) ?? 'error');
      span.error = 'the call failed';
    } else if (p.isError === true) {
      span.attributes['error.type'] = 'tool_error';
      span.error = 'the tool reported an error';
    }
    if (this.#content && p.content !== undefined)
      span.attributes['gen_ai.tool.call.result'] = JSON.stringify(p.content);
  }

  #http(e: StoredEvent): PlannedSpan {
    const p = e.payload!;
    const method = str(p.method) ?? 'HTTP';
    const attributes: SpanAttributes = { 'http.request.method': method };
    put(attributes, 'url.path', str(p.path));
    if (this.#content) put(attributes, 'url.query', str(p.query)?.replace(/^\?/, '') || null);
    put(attributes, 'vigil.request_id', str(p.request_id));
    const span = this.#base(e, method, attributes);
    const id = str(p.request_id);
    if (id) this.#byId.set(id, span);
    return span;
  }

  #httpResponse(e: StoredEvent): void {
    const p = e.payload!;
    const id = str(p.request_id);
    const span = id ? this.#byId.get(id) : undefined;
    if (!span) return;
    this.#byId.delete(id!);
    this.settle(span, e.time);
    const status = num(p.status);
    put(span.attributes, 'http.response.status_code', status);
    const failure = obj(p.error);
    if (failure) {
      span.attributes['error.type'] = str(failure.code) ?? 'error';
      span.error = 'the exchange failed';
    } else if (status !== null && status >= 400) {
      span.attributes['error.type'] = String(status);
      span.error = `HTTP ${status}`;
    }
  }

  /** Spans still open when the session ended (no result, exit or response was recorded) end with it. */
  finish(sessionEnd: string): void {
    for (const span of [...this.#unended]) this.settle(span, sessionEnd);
  }
}
