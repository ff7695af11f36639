// The re-run's MCP endpoint (`<url>/mcp`, streamable HTTP): the official SDK's server answers
// initialize, tools/list with the definitions the recorded listings showed, and tools/call from the
// recording by tool name and masked arguments (mcp-matcher.ts); resources/read and prompts/get the
// same way by URI, or prompt name and arguments, with resources/list and prompts/list answered as
// recorded (mcp.listing), or, for a recording made before listings were recorded, naming what the
// recording read. A call with no recorded result is
// that request's JSON-RPC error with `rerun_no_recorded_answer` in error.data.code, as the gateway
// reports its own refusals, and goes in the re-run report. Stateless: each POST gets its own SDK
// server and transport; the matcher, shared by all, is the state. An answer served with a masked
// value in it (masked-values.ts) says so as the model side's does: `x-vigil-masked: true` on the
// HTTP response that carries it, and its recorded position in the report's `masked` (`reads.masked`).
import type { IncomingMessage, ServerResponse } from 'node:http';
import { Server } from '@modelcontextprotocol/sdk/server/index.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import {
  CallToolRequestSchema,
  GetPromptRequestSchema,
  ListPromptsRequestSchema,
  ListResourcesRequestSchema,
  ListResourceTemplatesRequestSchema,
  ListToolsRequestSchema,
  ReadResourceRequestSchema,
  type Tool,
} from '@modelcontextprotocol/sdk/types.js';
import type { JsonObject, JsonValue } from '../core/events.js';
import type { LlmResponsePayload } from '../core/llm-payloads.js';
import type { PayloadMasker } from '../core/ports.js';
import { holdsMaskedValue } from './masked-values.js';
import { McpMatcher, type McpUnmatched } from './mcp-matcher.js';
import {
  type ReadMethod,
  type RecordedMcp,
  type RecordedOutcome,
  RPC_REFUSED,
  readArguments,
} from './mcp-recorded.js';
import type { McpReadReport, McpReport } from './report.js';

/** The MCP report with the positions served with masked values (tool calls, and reads on their own). */
export interface McpEndpointReport extends McpReport {
  readonly masked: number[];
  readonly reads: McpReadReport & { readonly masked: number[] };
}

export interface McpEndpoint {
  /** Serves one HTTP request; the SDK transport reads its body. */
  handle(req: IncomingMessage, res: ServerResponse): Promise<void>;
  report(): McpEndpointReport;
}

/** Whether a recorded answer (a result, or an error's message and data) holds a masking replacement. */
function outcomeHoldsMaskedValue(outcome: RecordedOutcome): boolean {
  // The check reads the answer's JSON text; any JSON object will do, whatever the parameter's type says.
  return holdsMaskedValue(outcome as unknown as LlmResponsePayload);
}

const isObj = (v: unknown): v is JsonObject => typeof v === 'object' && v !== null && !Array.isArray(v);

export function mcpEndpoint(sessions: string[], recorded: RecordedMcp, masker: PayloadMasker): McpEndpoint {
  const matcher = new McpMatcher(recorded.calls);
  const unmatched: McpUnmatched[] = [];
  let answered = 0;
  // Masking is per connection: a tool's arguments are masked as the connection that recorded it masked them.
  const connectionOf = (tool: string) =>
    (recorded.calls.find((c) => c.tool === tool) ?? recorded.calls[0])?.connection ?? '';
  const tools = recorded.tools.map((t) => t.definition as unknown as Tool);
  const reads = new McpMatcher(recorded.reads);
  const unmatchedReads: McpUnmatched[] = [];
  let answeredReads = 0;
  const maskedCalls = new Set<number>();
  const maskedReads = new Set<number>();
  const resources =
    recorded.listings.resources ??
    [...new Set(recorded.reads.filter((r) => r.tool === 'resources/read').map((r) => r.arguments.uri))].map(
      (uri) => ({ uri: String(uri), name: String(uri) }),
    );
  const templates = recorded.listings.resourceTemplates;
  const prompts = recorded.listings.prompts ?? promptListing(recorded);
  const hasReads = (method: ReadMethod) => recorded.reads.some((r) => r.tool === method);
  const offersResources =
    hasReads('resources/read') || recorded.listings.resources !== null || templates !== null;
  const offersPrompts = hasReads('prompts/get') || recorded.listings.prompts !== null;

  /**
   * The recorded answer, marked when it holds a masked value. The header goes on the HTTP response
   * that carries the answer: with JSON responses the transport writes its head only once every
   * answer of the POST is ready, so it is still unsent here.
   */
  const served = (
    call: { readonly position: number; readonly outcome: RecordedOutcome },
    masked: Set<number>,
    res: ServerResponse,
  ): JsonObject => {
    const outcome = call.outcome;
    if (outcomeHoldsMaskedValue(outcome)) {
      masked.add(call.position);
      if (!res.headersSent) res.setHeader('x-vigil-masked', 'true');
    }
    if (outcome.kind === 'error') throw rpcError(outcome.code, outcome.message, outcome.data);
    return outcome.result;
  };

  /** A read answered from the recording, matched on its masked request as a call is. */
  const answerRead = (method: ReadMethod, params: JsonObject, res: ServerResponse): JsonObject => {
    const args = readArguments(method, params);
    const connection = recorded.reads[0]?.connection ?? '';
    const masked = masker.maskPayload(args, connection);
    const result = reads.match(method, readArguments(method, masked));
    if (result.kind === 'unmatched') {
      unmatchedReads.push(result.unmatched);
      throw noReadAnswer(result.unmatched);
    }
    answeredReads++;
    return served(result.call, maskedReads, res);
  };

  const server = (res: ServerResponse): Server => {
    const capabilities = {
      tools: {},
      ...(offersResources ? { resources: {} } : {}),
      ...(offersPrompts ? { prompts: {} } : {}),
    };
    const s = new Server({ name: 'vigil-rerun', version: '1.0.0' }, { capabilities });
    if (capabilities.resources) {
      s.setRequestHandler(ListResourcesRequestSchema, async () => ({ resources }) as never);
      if (templates !== null) {
        s.setRequestHandler(
          ListResourceTemplatesRequestSchema,
          async () => ({ resourceTemplates: templates }) as never,
        );
      }
      s.setRequestHandler(ReadResourceRequestSchema, async (request) =>
        answerRead('resources/read', request.params as JsonObject, res),
      );
    }
    if (capabilities.prompts) {
      s.setRequestHandler(ListPromptsRequestSchema, async () => ({ prompts }) as never);
      s.setRequestHandler(GetPromptRequestSchema, async (request) =>
        answerRead('prompts/get', request.params as JsonObject, res),
      );
    }
    s.setRequestHandler(ListToolsRequestSchema, async () => ({ tools }));
    s.setRequestHandler(CallToolRequestSchema, async (request) => {
      const tool = request.params.name;
      const args = isObj(request.params.arguments) ? request.params.arguments : {};
      const masked = masker.maskPayload({ tool, arguments: args }, connectionOf(tool));
      const result = matcher.match(tool, isObj(masked.arguments) ? masked.arguments : {});
      if (result.kind === 'unmatched') {
        unmatched.push(result.unmatched);
        throw noAnswer(result.unmatched);
      }
      answered++;
      return served(result.call, maskedCalls, res);
    });
    return s;
  };

  return {
    async handle(req, res) {
      const transport = new StreamableHTTPServerTransport({
        sessionIdGenerator: undefined,
        enableJsonResponse: true,
      });
      const s = server(res);
      res.on('close', () => {
        void transport.close();
        void s.close();
      });
      await s.connect(transport);
      await transport.handleRequest(req, res);
    },
    report: () => ({
      sessions,
      requests: matcher.requests,
      answered,
      recorded: recorded.calls.length,
      unmatched: [...unmatched],
      unserved: matcher.unserved(),
      unanswerable: [...recorded.unanswerable],
      masked: [...maskedCalls].sort((a, b) => a - b),
      reads: {
        requests: reads.requests,
        answered: answeredReads,
        recorded: recorded.reads.length,
        unmatched: [...unmatchedReads],
        unserved: reads.unserved(),
        unanswerable: [...recorded.unanswerableReads],
        masked: [...maskedReads].sort((a, b) => a - b),
      },
    }),
  };
}

/** The prompts the recording got, each with the argument names it was given. */
function promptListing(recorded: RecordedMcp): { name: string; arguments: { name: string }[] }[] {
  const byName = new Map<string, Set<string>>();
  for (const r of recorded.reads) {
    if (r.tool !== 'prompts/get') continue;
    const names = byName.get(String(r.arguments.name)) ?? new Set<string>();
    const args = r.arguments.arguments;
    if (typeof args === 'object' && args !== null && !Array.isArray(args))
      for (const k of Object.keys(args)) names.add(k);
    byName.set(String(r.arguments.name), names);
  }
  return [...byName].map(([name, args]) => ({ name, arguments: [...args].sort().map((a) => ({ name: a })) }));
}

/**
 * A JSON-RPC error the SDK server sends as it is: code, message, data. (An McpError would not do:
 * its message carries an "MCP error <code>:" prefix, which the client's McpError adds once more.)
 */
function rpcError(code: number, message: string, data: JsonValue): Error {
  return Object.assign(new Error(message), { code, data });
}

function noReadAnswer(u: McpUnmatched): Error {
  const what = u.reason === 'exhausted' ? 'was made more often than recorded' : 'has no recorded answer';
  const near = u.closest ? `the closest is recorded read #${u.closest.position}` : `no ${u.tool} is recorded`;
  return rpcError(RPC_REFUSED, `read #${u.position} (${u.tool}) of the re-run ${what}; ${near}`, {
    code: 'rerun_no_recorded_answer',
    position: u.position,
    closest: u.closest?.position ?? null,
  });
}

function noAnswer(u: McpUnmatched): Error {
  const near = u.closest
    ? `the closest is recorded call #${u.closest.position} (${u.closest.tool})`
    : 'no tool call is recorded';
  const what = u.reason === 'exhausted' ? 'was made more often than recorded' : 'has no recorded result';
  // The message names the tool (the client's own call), never its arguments.
  return rpcError(RPC_REFUSED, `tool call #${u.position} (${u.tool}) of the re-run ${what}; ${near}`, {
    code: 'rerun_no_recorded_answer',
    position: u.position,
    closest: u.closest?.position ?? null,
  });
}
