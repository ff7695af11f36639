// The answer when no hook or script rule decides: derived from the prompt alone, so a test can
// predict it, and different for each choice, so n > 1 is visible.
import { excerpt, stableHash } from './text.js';
import type { DemoPrompt, DemoReply, DemoTool } from './types.js';

const EXCERPT_WORDS = 12;

/**
 * - With tools offered (tool_choice not 'none') and no tool result yet: a call to the forced tool,
 *   or the first one, with arguments built from its JSON Schema.
 * - Otherwise: `Demo reply {choice+1} [{hash8}]: {first words of the last user message}`, where
 *   hash8 is `replyTag(prompt)`. After a tool result: `Demo reply … : tool said {result}`.
 */
export function defaultReply(prompt: DemoPrompt): DemoReply {
  const last = prompt.messages.at(-1);
  const afterToolResult = last?.role === 'tool';
  if (prompt.tools.length > 0 && prompt.toolChoice !== 'none' && !afterToolResult) {
    const tool = prompt.tools.find((t) => t.name === prompt.toolChoice) ?? prompt.tools[0]!;
    return { toolCalls: [{ name: tool.name, arguments: argumentsFor(tool, prompt) }] };
  }
  const subject = afterToolResult
    ? `tool said ${excerpt(last.content, EXCERPT_WORDS)}`
    : excerpt(prompt.lastUserText || prompt.promptText, EXCERPT_WORDS) || 'Hello from the Vigil demo model.';
  return { text: `Demo reply ${prompt.choiceIndex + 1} [${replyTag(prompt)}]: ${subject}` };
}

/** 8 hex characters that depend on the model, the whole prompt and the choice index. */
export function replyTag(prompt: DemoPrompt): string {
  return stableHash(prompt.model, prompt.promptText, prompt.choiceIndex).slice(0, 8);
}

/** Fills every property of the tool's schema with a plausible value derived from the prompt. */
function argumentsFor(tool: DemoTool, prompt: DemoPrompt): Record<string, unknown> {
  const properties = (tool.parameters.properties ?? {}) as Record<string, { type?: unknown; enum?: unknown }>;
  const args: Record<string, unknown> = {};
  for (const [name, schema] of Object.entries(properties)) {
    args[name] = sampleValue(schema, prompt);
  }
  return args;
}

function sampleValue(schema: { type?: unknown; enum?: unknown }, prompt: DemoPrompt): unknown {
  if (Array.isArray(schema.enum) && schema.enum.length > 0) return schema.enum[0];
  const type = Array.isArray(schema.type) ? schema.type[0] : schema.type;
  switch (type) {
    case 'number':
    case 'integer':
      return prompt.choiceIndex + 1;
    case 'boolean':
      return true;
    case 'array':
      return [];
    case 'object':
      return {};
    default:
      return excerpt(prompt.lastUserText, EXCERPT_WORDS) || 'demo';
  }
}
