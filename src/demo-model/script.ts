// Script files: ordered rules, each a match (regexes on the prompt, model, api, choice) and a reply.
// The first rule that matches a choice answers it; no match falls back to the default reply.
// Format and examples: docs/demo-model.md.
import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { VigilError } from '../core/errors.js';
import { replyTag } from './default-reply.js';
import { parseFailureSpecs } from './failures.js';
import {
  DEMO_APIS,
  DEMO_FINISH_REASONS,
  type DemoPrompt,
  type DemoReply,
  type DemoRespond,
} from './types.js';

const regex = z.string().refine(
  (s) => {
    try {
      new RegExp(s);
      return true;
    } catch {
      return false;
    }
  },
  { message: 'not a valid regular expression' },
);

const toolCall = z.object({
  id: z.string().optional(),
  name: z.string(),
  arguments: z.union([z.string(), z.record(z.string(), z.unknown())]).default({}),
});

const replySchema = z
  .object({
    text: z.string().optional(),
    tool_calls: z.array(toolCall).optional(),
    toolCalls: z.array(toolCall).optional(),
    finish_reason: z.enum(DEMO_FINISH_REASONS).optional(),
    finishReason: z.enum(DEMO_FINISH_REASONS).optional(),
    error: z
      .object({
        status: z.number().int().min(400).max(599),
        type: z.string().optional(),
        message: z.string().default('Scripted error.'),
        code: z.string().nullable().optional(),
        param: z.string().nullable().optional(),
      })
      .optional(),
    /** A failure spec as in the x-demo-fail header: mid-stream[:K] | hang | reset | status-NNN | slow-MS. */
    fail: z.string().optional(),
    delay_ms: z.number().int().nonnegative().optional(),
    delayMs: z.number().int().nonnegative().optional(),
  })
  .strict();

const ruleSchema = z
  .object({
    match: z
      .object({
        prompt: regex.optional(),
        last_user: regex.optional(),
        system: regex.optional(),
        model: regex.optional(),
        api: z.union([z.enum(DEMO_APIS), z.array(z.enum(DEMO_APIS))]).optional(),
        choice: z.number().int().nonnegative().optional(),
        /** Regex flags for every pattern of this rule; default 'i' (case-insensitive). */
        flags: z.string().default('i'),
      })
      .strict()
      .default({ flags: 'i' }),
    reply: replySchema.optional(),
    /** One reply per choice index (cycling when n exceeds the list): different samples for n > 1. */
    replies: z.array(replySchema).min(1).optional(),
  })
  .strict()
  .refine((r) => (r.reply === undefined) !== (r.replies === undefined), {
    message: 'a rule needs exactly one of reply or replies',
  });

const scriptSchema = z.union([
  z.object({ rules: z.array(ruleSchema) }).strict(),
  z.array(ruleSchema).transform((rules) => ({ rules })),
]);

export type DemoScript = z.infer<typeof scriptSchema>;
type Rule = DemoScript['rules'][number];
type ScriptReply = z.infer<typeof replySchema>;

export function loadScript(path: string): DemoRespond {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new VigilError('config_not_found', `cannot read demo-model script ${path}`, { cause: err });
  }
  let data: unknown;
  try {
    data = path.endsWith('.json') ? JSON.parse(text) : parseYaml(text);
  } catch (err) {
    throw new VigilError('config_invalid', `${path}: ${(err as Error).message.split('\n')[0]}`, {
      cause: err,
    });
  }
  return scriptResponder(data, path);
}

/** Validates a parsed script and turns it into a hook. `source` names it in errors. */
export function scriptResponder(data: unknown, source = 'script'): DemoRespond {
  const parsed = scriptSchema.safeParse(data);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new VigilError(
      'config_invalid',
      `${source}: ${issue.path.join('.') || '(root)'}: ${issue.message}`,
    );
  }
  const rules = parsed.data.rules;
  for (const [i, rule] of rules.entries()) {
    for (const reply of rule.replies ?? [rule.reply!]) {
      if (reply.fail !== undefined && !parseFailureSpecs(reply.fail).ok) {
        throw new VigilError(
          'config_invalid',
          `${source}: rules.${i}.fail: unknown failure spec '${reply.fail}'`,
        );
      }
    }
  }
  return (prompt) => {
    for (const rule of rules) {
      const groups = matchRule(rule, prompt);
      if (groups === null) continue;
      const replies = rule.replies ?? [rule.reply!];
      return toReply(replies[prompt.choiceIndex % replies.length]!, prompt, groups);
    }
    return null;
  };
}

/** The capture groups of the rule's regexes (prompt, then last_user, system, model), or null. */
function matchRule(rule: Rule, prompt: DemoPrompt): string[] | null {
  const m = rule.match;
  if (m.api !== undefined && !(Array.isArray(m.api) ? m.api : [m.api]).includes(prompt.api)) return null;
  if (m.choice !== undefined && m.choice !== prompt.choiceIndex) return null;
  const groups: string[] = [];
  const checks: [string | undefined, string][] = [
    [m.prompt, prompt.promptText],
    [m.last_user, prompt.lastUserText],
    [m.system, prompt.system],
    [m.model, prompt.model],
  ];
  for (const [pattern, subject] of checks) {
    if (pattern === undefined) continue;
    const found = new RegExp(pattern, m.flags).exec(subject);
    if (found === null) return null;
    if (groups.length === 0) groups.push(...found.map((g) => g ?? ''));
  }
  return groups;
}

function toReply(reply: ScriptReply, prompt: DemoPrompt, groups: readonly string[]): DemoReply {
  const fill = (s: string) => fillTemplate(s, prompt, groups);
  const calls = reply.tool_calls ?? reply.toolCalls;
  const failure =
    reply.fail === undefined ? {} : (parseFailureSpecs(reply.fail) as { reply: DemoReply }).reply;
  return {
    ...failure,
    text: reply.text === undefined ? undefined : fill(reply.text),
    toolCalls: calls?.map((c) => ({
      id: c.id,
      name: c.name,
      arguments: typeof c.arguments === 'string' ? fill(c.arguments) : c.arguments,
    })),
    finishReason: reply.finish_reason ?? reply.finishReason,
    error: reply.error ?? failure.error,
    delayMs: reply.delay_ms ?? reply.delayMs ?? failure.delayMs,
  };
}

/**
 * `{{0}}`…`{{9}}`: capture groups of the first regex of the rule; `{{choice}}` (0-based),
 * `{{n}}`, `{{model}}`, `{{last_user}}`, `{{hash}}` (8 hex characters of the prompt and choice).
 */
export function fillTemplate(text: string, prompt: DemoPrompt, groups: readonly string[]): string {
  return text.replace(/\{\{\s*(\w+)\s*\}\}/g, (whole, key: string) => {
    if (/^\d+$/.test(key)) return groups[Number(key)] ?? '';
    switch (key) {
      case 'choice':
        return String(prompt.choiceIndex);
      case 'n':
        return String(prompt.n);
      case 'model':
        return prompt.model;
      case 'last_user':
        return prompt.lastUserText;
      case 'hash':
        return replyTag(prompt);
      default:
        return whole;
    }
  });
}
