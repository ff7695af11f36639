// Where each model API's stream carries the model's words in pieces: the fields both the live
// masker (live-masking.ts, mask_responses) and the known-secrets hold (known-secrets-stream.ts)
// read, kept in one place so that a field one of them learns the other reads too.

/** The fields of a chat delta that carry the model's words in pieces (reasoning: OpenAI-compatible servers). */
export const CHAT_TEXT_FIELDS = ['content', 'refusal', 'reasoning_content', 'reasoning'] as const;
/** Where a chat tool call's input arrives in pieces: a function's arguments, a free-form tool's input. */
export const TOOL_INPUT = { function: 'arguments', custom: 'input' } as const;
export type ToolKind = keyof typeof TOOL_INPUT;
/** Anthropic delta types that carry the model's words in pieces, and the field that holds them. */
export const ANTHROPIC_DELTA_TEXT: Readonly<Record<string, string>> = {
  text_delta: 'text',
  thinking_delta: 'thinking',
  input_json_delta: 'partial_json',
};
/** Responses API events whose `.delta` carries text in pieces, ended by their `.done`. */
export const RESPONSES_TEXT_EVENTS = [
  'response.output_text',
  'response.refusal',
  'response.reasoning_text',
  'response.reasoning_summary_text',
  'response.function_call_arguments',
  'response.custom_tool_call_input',
  'response.mcp_call_arguments',
  'response.code_interpreter_call_code',
] as const;
/** Where a Responses delta belongs: the fields a closing delta copies from the event that closes it. */
export const DELTA_PLACE = [
  'sequence_number',
  'item_id',
  'output_index',
  'content_index',
  'summary_index',
] as const;
