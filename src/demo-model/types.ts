// The public shapes of the stand-in model: what a scripting hook sees (DemoPrompt) and may answer
// (DemoReply), the server's options, and what it records of every request it receives.
//
// One request asks for `n` choices; the hook is called once per choice with `choiceIndex` set, so a
// Tree-of-Thoughts "sample" step with n=5 gets five independent calls it can answer differently.
// Returning null/undefined falls back to the deterministic default reply (see `defaultReply`).

/** Which wire API a request came in on. */
export const DEMO_APIS = [
  'openai.chat',
  'openai.completions',
  'openai.responses',
  'anthropic.messages',
] as const;
export type DemoApi = (typeof DEMO_APIS)[number];

/** One message of the conversation, flattened to text whatever its wire shape. */
export interface DemoMessage {
  /** 'system' | 'developer' | 'user' | 'assistant' | 'tool' (tool results, from any API). */
  readonly role: string;
  /** Text parts joined with '\n'; tool results and tool calls rendered as text too. */
  readonly content: string;
}

/** A tool (function) the client offered, whatever its wire shape. */
export interface DemoTool {
  readonly name: string;
  readonly description: string;
  /** JSON Schema of the arguments (OpenAI `parameters`, Anthropic `input_schema`). */
  readonly parameters: Readonly<Record<string, unknown>>;
}

/** What the scripting hook sees: one choice of one request. */
export interface DemoPrompt {
  readonly api: DemoApi;
  readonly model: string;
  /**
   * The conversation. Chat/messages/responses: system prompt first (role 'system') when there is
   * one. Completions: a single 'user' message holding this choice's prompt string.
   */
  readonly messages: readonly DemoMessage[];
  /** The system prompt (OpenAI system/developer messages, Anthropic `system`, Responses `instructions`), or ''. */
  readonly system: string;
  /**
   * The whole prompt as one text: `role: content` lines joined with '\n\n' for chats; the raw
   * prompt string for completions. Match your regexes against this.
   */
  readonly promptText: string;
  /** The content of the last 'user' message ('' when none): usually the part worth matching. */
  readonly lastUserText: string;
  /** 0-based index of the choice being generated, in [0, n). */
  readonly choiceIndex: number;
  /** How many choices the request asked for (OpenAI `n`; always 1 for Responses and Anthropic). */
  readonly n: number;
  /** Completions with an array `prompt`: which prompt of the array this choice answers; else 0. */
  readonly promptIndex: number;
  readonly tools: readonly DemoTool[];
  /** 'auto' | 'none' | 'required' | a tool name the client forced. */
  readonly toolChoice: string;
  /** max_tokens / max_completion_tokens / max_output_tokens, or null. Replies are cut to it (finish 'length'). */
  readonly maxTokens: number | null;
  readonly temperature: number | null;
  readonly stream: boolean;
  /** Stop sequences the client gave; replies are cut at the first one found. */
  readonly stop: readonly string[];
  /** The request body as parsed JSON, for anything the fields above do not carry. */
  readonly body: Readonly<Record<string, unknown>>;
  /** Request headers, names lower-cased. */
  readonly headers: Readonly<Record<string, string>>;
}

/** A tool call the model makes. */
export interface DemoToolCall {
  /** Defaults to a deterministic id (call_… / toolu_… / fc_…). */
  readonly id?: string;
  readonly name: string;
  /** An object (serialised as JSON) or a JSON string, sent as is. */
  readonly arguments: string | Readonly<Record<string, unknown>>;
}

/** How the reply ends, in OpenAI's terms; mapped to Anthropic's stop_reason and Responses' status. */
export const DEMO_FINISH_REASONS = ['stop', 'length', 'tool_calls', 'content_filter'] as const;
export type DemoFinishReason = (typeof DEMO_FINISH_REASONS)[number];

/**
 * An error answer in the provider's own shape and status. `type` defaults from the status
 * (OpenAI: invalid_request_error, rate_limit_error (429), server_error (5xx)...; Anthropic:
 * invalid_request_error, authentication_error, not_found_error, rate_limit_error, api_error,
 * overloaded_error (529)...).
 */
export interface DemoErrorReply {
  readonly status: number;
  readonly type?: string;
  readonly message: string;
  /** OpenAI `code` (e.g. 'rate_limit_exceeded'); ignored for Anthropic. */
  readonly code?: string | null;
  readonly param?: string | null;
}

/**
 * A misbehaviour, for tests of the component in front of the model.
 * - `mid-stream`: send the status line and `afterChunks` content chunks (stream) or part of the body
 *   (non-stream), then destroy the socket.
 * - `hang`: send nothing; wait until the client gives up (recorded as outcome 'aborted').
 * - `reset`: destroy the socket without answering.
 */
export type DemoFailure =
  | { readonly kind: 'mid-stream'; readonly afterChunks?: number }
  | { readonly kind: 'hang' }
  | { readonly kind: 'reset' };

/** What the hook answers for one choice. Everything is optional; empty text is allowed. */
export interface DemoReply {
  /** The assistant's text. With toolCalls, sent before them (Anthropic: a text block first). */
  readonly text?: string;
  /**
   * The text as the model's tokens (`text` is then their join, and ignored): chat, completion and
   * Responses streams send one content event per `tokensPerChunk` of them, and logprobs list them.
   * Without it a token is a word with the whitespace after it.
   */
  readonly tokens?: readonly string[];
  /**
   * Reasoning shown before the text. Chat completions send it as `reasoning_content` (whole, and
   * streamed in pieces before the content), as OpenAI-compatible servers such as vLLM and DeepSeek do.
   */
  readonly reasoning?: string;
  readonly toolCalls?: readonly DemoToolCall[];
  /** Defaults: 'tool_calls' when there are tool calls, 'length' when cut by maxTokens, else 'stop'. */
  readonly finishReason?: DemoFinishReason;
  /**
   * Answer with this error instead (the whole request fails: the first choice that errors wins).
   */
  readonly error?: DemoErrorReply;
  /** Misbehave instead of answering normally (the first choice that asks for it wins). */
  readonly fail?: DemoFailure;
  /** Extra wait before the first byte of the response, on top of the server's `latencyMs`. */
  readonly delayMs?: number;
}

export type DemoRespond = (
  prompt: DemoPrompt,
) => DemoReply | null | undefined | Promise<DemoReply | null | undefined>;

export interface DemoModelOptions {
  /** Default 127.0.0.1. */
  readonly host?: string;
  /** Default 0: an ephemeral port (read it back from `port`/`url`). */
  readonly port?: number;
  /**
   * When set, requests must carry it (OpenAI routes: `Authorization: Bearer KEY`; Anthropic routes:
   * `x-api-key: KEY`) or get the provider's 401.
   */
  readonly apiKey?: string;
  /** The scripting hook. Wins over `script`. */
  readonly respond?: DemoRespond;
  /** Path to a JSON or YAML script (see docs/demo-model.md). Used when `respond` is absent. */
  readonly script?: string;
  /** Wait between streamed content events. Default 0 (each event is still written separately). */
  readonly chunkDelayMs?: number;
  /** Tokens (words with their trailing space) per streamed content chunk. Default 1. */
  readonly tokensPerChunk?: number;
  /** Wait before answering any request. Default 0. */
  readonly latencyMs?: number;
  /**
   * Model ids the server knows (listed by GET /v1/models). Any id starting with `demo` is accepted
   * too; others get the provider's 404. Default: DEMO_MODEL_IDS.
   */
  readonly models?: readonly string[];
  /** Largest request body accepted (413 above). Default 64 MiB. */
  readonly maxBodyBytes?: number;
}

export const DEMO_REQUEST_OUTCOMES = ['pending', 'completed', 'aborted', 'failed'] as const;
/**
 * pending: still being answered; completed: the whole response was written; aborted: the client
 * went away first; failed: the server broke the connection on purpose (failure injection).
 */
export type DemoRequestOutcome = (typeof DEMO_REQUEST_OUTCOMES)[number];

/** One request as the stand-in model received it. Mutated as the request progresses. */
export interface RecordedDemoRequest {
  readonly method: string;
  /** Path and query as received, e.g. /v1/chat/completions. */
  readonly path: string;
  /** Names lower-cased; repeated headers joined with ', '. */
  readonly headers: Readonly<Record<string, string>>;
  /** The parsed JSON body, or null (no body, or not JSON). */
  body: unknown;
  readonly receivedAt: number;
  /** The status sent, once the status line went out. */
  status: number | null;
  outcome: DemoRequestOutcome;
  /** Resolves once the outcome is no longer 'pending'. */
  readonly settled: Promise<DemoRequestOutcome>;
}

export interface DemoModel {
  /** http://HOST:PORT (no trailing slash, no /v1). */
  readonly url: string;
  readonly port: number;
  /** Every request received, in arrival order. */
  readonly requests: RecordedDemoRequest[];
  close(): Promise<void>;
}
