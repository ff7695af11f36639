// A multi-turn chain-of-thought agent with tool calls, through the official openai client. The
// conversation grows turn by turn: each assistant reply is appended (with its tool calls), then
// the tool results or the user's answer. The agent runs statements it proposed in SQL code blocks
// once the user agrees. It logs its own tree: a chain, plus the sibling it did not take.
import type OpenAI from 'openai';
import type { ChatCompletionMessageParam, ChatCompletionTool } from 'openai/resources/chat/completions';
import { codeBlocks } from '../../../src/reasoning/text.js';
import { TrueTreeLog } from '../true-tree.js';

export interface AgentOptions {
  readonly hints: boolean;
  /** Runs a statement (records a db.query in tests) and returns the tool result text. */
  readonly runSql: (statement: string) => Promise<string> | string;
}

const TOOLS: ChatCompletionTool[] = [
  {
    type: 'function',
    function: {
      name: 'run_sql',
      description: 'Run one SQL statement against the production database',
      parameters: { type: 'object', properties: { query: { type: 'string' } }, required: ['query'] },
    },
  },
];

/** Turns at which the agent samples two answers and keeps the first. */
const SAMPLED_TURNS = new Set([2]);

export async function runAgent(client: OpenAI, options: AgentOptions) {
  const log = new TrueTreeLog();
  const messages: ChatCompletionMessageParam[] = [
    {
      role: 'system',
      content:
        'You are an operations assistant with a run_sql tool on the production database. Think step by step.',
    },
    {
      role: 'user',
      content: 'The sessions table is bloated. Find sessions idle for over 30 days and clean them up safely.',
    },
  ];
  // The first proposal the user approves and the model then runs through its tool; the second the
  // agent runs itself, straight from the code block.
  const userReplies = [
    { text: 'Yes, go ahead.', execute: false },
    { text: 'Confirmed, drop the archive.', execute: true },
  ];
  let parent: string | null = null;
  for (let turn = 0; turn < 8; turn++) {
    const n = SAMPLED_TURNS.has(turn) ? 2 : 1;
    const headers = options.hints && parent ? { 'x-vigil-parent': log.hintName(parent) } : undefined;
    const res = await client.chat.completions.create(
      { model: 'gpt-4o', messages, tools: TOOLS, n },
      headers ? { headers } : undefined,
    );
    const ordinal = log.nextCall(res.id);
    res.choices.forEach((c) => {
      const node = `${ordinal}:${c.index}`;
      log.addNode(node, parent);
      log.setStatus({ node, line: null }, c.index === 0 ? 'kept' : 'pruned');
    });
    const chosen = res.choices[0]!.message;
    parent = `${ordinal}:0`;
    messages.push({
      role: 'assistant',
      content: chosen.content,
      ...(chosen.tool_calls?.length ? { tool_calls: chosen.tool_calls } : {}),
    });
    if (chosen.tool_calls?.length) {
      for (const call of chosen.tool_calls) {
        if (call.type !== 'function') continue;
        const { query } = JSON.parse(call.function.arguments) as { query: string };
        messages.push({ role: 'tool', tool_call_id: call.id, content: await options.runSql(query) });
      }
      continue;
    }
    const proposed = codeBlocks(chosen.content ?? '');
    const reply = userReplies.shift();
    if (proposed.length === 0 || reply === undefined) break;
    const results: string[] = [];
    if (reply.execute) for (const statement of proposed) results.push(await options.runSql(statement.trim()));
    messages.push({
      role: 'user',
      content: results.length ? `${reply.text}\nResult: ${results.join('; ')}` : reply.text,
    });
  }
  log.final = parent ? { node: parent, line: null } : null;
  if (parent) log.outcomePath = log.pathTo(parent);
  return { log, messages };
}
