// The re-run's report: how many requests came and were answered, every request with no recorded
// answer (its position, the closest recorded request and where they part: the point where a
// changed client diverges from the recorded run), and recorded calls nobody asked for again.
// The text form quotes recorded prompt text: it is masked, and printed inert (one line each).
import type { Unmatched } from './matcher.js';

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
}

const oneLine = (text: string) => JSON.stringify(text);

export function renderReport(r: RerunReport): string {
  const lines = [
    `re-run of session ${r.session}: ${r.requests} requests, ${r.answered} answered from the recording, ${r.unmatched.length} without a recorded answer`,
    `recorded calls: ${r.recorded}, not asked for again: ${r.unserved.length ? r.unserved.join(', ') : 'none'}`,
  ];
  if (r.unanswerable.length) lines.push(`recorded without a response: ${r.unanswerable.join(', ')}`);
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
  return lines.join('\n');
}
