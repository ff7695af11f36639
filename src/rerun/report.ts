// The re-run's report: how many requests came and were answered, every request with no recorded
// answer (its position, the closest recorded request and where they part: the point where a
// changed client diverges from the recorded run), and recorded calls nobody asked for again.
// The text form quotes recorded prompt text: it is masked, and printed inert (one line each).
import type { Unmatched } from './matcher.js';
import type { McpUnmatched } from './mcp-matcher.js';

/** The tool calls of the re-run's MCP endpoint (`--mcp`). */
export interface McpReport {
  readonly sessions: string[];
  /** Tool calls the re-run received, answered or not. */
  readonly requests: number;
  readonly answered: number;
  /** Recorded tool calls that can be served. */
  readonly recorded: number;
  readonly unmatched: McpUnmatched[];
  readonly unserved: number[];
  /** Recorded calls with no result to serve. */
  readonly unanswerable: number[];
  /** resources/read and prompts/get, counted and matched on their own (positions among reads). */
  readonly reads: McpReadReport;
}

export interface McpReadReport {
  readonly requests: number;
  readonly answered: number;
  readonly recorded: number;
  /** `tool` names the method (resources/read, prompts/get); `differs.arguments` the parts that differ (uri, name, arguments). */
  readonly unmatched: McpUnmatched[];
  readonly unserved: number[];
  readonly unanswerable: number[];
}

export interface RerunReport {
  readonly session: string;
  /** Requests the re-run received, answered or not. */
  readonly requests: number;
  readonly answered: number;
  /** Model calls in the recording that can be served. */
  readonly recorded: number;
  readonly unmatched: Unmatched[];
  /** Recorded positions no re-run request took. */
  readonly unserved: number[];
  /** Recorded requests with no response to serve (the client left, a purged payload). */
  readonly unanswerable: number[];
  /** Recorded positions served with a masked value in their answer (masked-values.ts). */
  readonly masked: number[];
  /** Present when MCP sessions are served too. */
  readonly mcp?: McpReport;
}

const oneLine = (text: string) => JSON.stringify(text);

export function renderReport(r: RerunReport): string {
  const lines = [
    `re-run of session ${r.session}: ${r.requests} requests, ${r.answered} answered from the recording, ${r.unmatched.length} without a recorded answer`,
    `recorded calls: ${r.recorded}, not asked for again: ${r.unserved.length ? r.unserved.join(', ') : 'none'}`,
  ];
  if (r.unanswerable.length) lines.push(`recorded without a response: ${r.unanswerable.join(', ')}`);
  if (r.masked.length)
    lines.push(
      `served with masked values, as recorded (not what the client got then): ${r.masked.join(', ')}`,
    );
  for (const u of r.unmatched) {
    const closest = u.closest
      ? `closest recorded request #${u.closest.position}`
      : 'no recorded request of this API';
    if (u.reason === 'exhausted') {
      lines.push(
        `request #${u.position} (${u.api}): asked more often than recorded; same as recorded #${u.closest?.position}`,
      );
      continue;
    }
    lines.push(`request #${u.position} (${u.api}): no recorded answer; ${closest}`);
    const d = u.divergence;
    if (!d) continue;
    if (d.in === 'prompt') {
      lines.push(`  prompt differs at character ${d.offset}`);
      lines.push(`    recorded: ${oneLine(d.recorded)}`);
      lines.push(`    re-run:   ${oneLine(d.rerun)}`);
    }
    if (d.parameters.length) lines.push(`  parameters differ: ${d.parameters.join(', ')}`);
  }
  if (r.mcp) lines.push(...renderMcp(r.mcp));
  return lines.join('\n');
}

function renderMcp(m: McpReport): string[] {
  const lines = [
    `MCP sessions ${m.sessions.join(', ')}: ${m.requests} tool calls, ${m.answered} answered from the recording, ${m.unmatched.length} without a recorded answer`,
    `recorded tool calls: ${m.recorded}, not asked for again: ${m.unserved.length ? m.unserved.join(', ') : 'none'}`,
  ];
  if (m.unanswerable.length) lines.push(`recorded tool calls without a result: ${m.unanswerable.join(', ')}`);
  for (const u of m.unmatched) {
    // Tool names are printed inert; argument values never, only the names of those that differ.
    const tool = oneLine(u.tool);
    if (u.reason === 'exhausted') {
      lines.push(
        `tool call #${u.position} (${tool}): made more often than recorded; same as recorded call #${u.closest?.position}`,
      );
      continue;
    }
    const closest = u.closest
      ? `closest recorded call #${u.closest.position} (${oneLine(u.closest.tool)})`
      : 'no tool call recorded';
    lines.push(`tool call #${u.position} (${tool}): no recorded answer; ${closest}`);
    if (u.differs?.tool) lines.push('  tool differs');
    if (u.differs?.arguments.length) lines.push(`  arguments differ: ${u.differs.arguments.join(', ')}`);
  }
  return [...lines, ...renderReads(m.reads)];
}

function renderReads(r: McpReadReport): string[] {
  if (r.recorded === 0 && r.requests === 0 && r.unanswerable.length === 0) return [];
  const lines = [
    `resource reads and prompt gets: ${r.requests}, ${r.answered} answered from the recording, ${r.unmatched.length} without a recorded answer; recorded: ${r.recorded}, not asked for again: ${r.unserved.length ? r.unserved.join(', ') : 'none'}`,
  ];
  if (r.unanswerable.length) lines.push(`recorded reads without an answer: ${r.unanswerable.join(', ')}`);
  for (const u of r.unmatched) {
    // URIs and prompt arguments may hold anything: only which part differs is printed.
    if (u.reason === 'exhausted') {
      lines.push(
        `read #${u.position} (${u.tool}): made more often than recorded; same as recorded read #${u.closest?.position}`,
      );
      continue;
    }
    const closest = u.closest
      ? `closest recorded read #${u.closest.position} (${u.closest.tool})`
      : `no ${u.tool} recorded`;
    lines.push(`read #${u.position} (${u.tool}): no recorded answer; ${closest}`);
    if (u.differs?.arguments.length) lines.push(`  differs in: ${u.differs.arguments.join(', ')}`);
  }
  return lines;
}
