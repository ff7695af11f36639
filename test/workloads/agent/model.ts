// Scripted answers for the chain-of-thought operations agent: it reasons in short "Thought:" lines,
// calls run_sql, proposes statements in SQL code blocks, and reacts to tool results and the user.
import type { ScriptedReply, ScriptedRequest } from '../scripted-model.js';

export const STALE = "last_seen < now() - interval '30 days'";
export const STATEMENTS = {
  count: `SELECT count(*) FROM sessions WHERE ${STALE}`,
  archive: `CREATE TABLE sessions_archive AS SELECT * FROM sessions WHERE ${STALE}`,
  delete: `DELETE FROM sessions WHERE ${STALE}`,
  drop: 'DROP TABLE sessions_archive',
} as const;

function runSql(query: string): ScriptedReply['toolCalls'] {
  return [{ name: 'run_sql', arguments: JSON.stringify({ query }) }];
}

export function agentReply(request: ScriptedRequest, choiceIndex: number): ScriptedReply {
  const toolResults = request.messages.filter((m) => m.role === 'tool').length;
  const userTurns = request.messages.filter((m) => m.role === 'user').length;
  if (toolResults === 0) {
    return {
      content: 'Thought: before touching anything I should measure how many sessions are stale.',
      toolCalls: runSql(STATEMENTS.count),
    };
  }
  if (toolResults === 1) {
    return {
      content: 'Thought: 1204 stale rows. I will archive them first so the cleanup can be undone.',
      toolCalls: runSql(STATEMENTS.archive),
    };
  }
  if (toolResults === 2 && userTurns === 1) {
    // Sampled twice: the agent keeps the first answer, the second is a bolder alternative.
    return choiceIndex === 0
      ? {
          content: `Thought: the archive holds all 1204 rows. I propose deleting them from the live table:\n\`\`\`sql\n${STATEMENTS.delete};\n\`\`\`\nShall I proceed?`,
        }
      : {
          content: `Thought: the archive is complete, so the fastest cleanup is to truncate:\n\`\`\`sql\nTRUNCATE sessions;\n\`\`\`\nShall I proceed?`,
        };
  }
  if (toolResults === 2) {
    return {
      content: 'Thought: the user approved. Running the delete now.',
      toolCalls: runSql(STATEMENTS.delete),
    };
  }
  if (toolResults === 3 && userTurns === 2) {
    return {
      content: `Thought: 1204 rows deleted. The archive is no longer needed once the user confirms:\n\`\`\`sql\n${STATEMENTS.drop};\n\`\`\``,
    };
  }
  return { content: 'Done: 1204 stale sessions were archived, deleted, and the archive table was dropped.' };
}
