// A test reporter that prints nothing while tests run and, when the run's counts arrive, one line
// per failed test: its file, its name and its error message on one line. CI keeps only the tail of a
// run's output, and the TAP stream names a failure where it happened, often thousands of lines up.
// The list is written on the run's own "tests N" count rather than at the end of the stream:
// --test-force-exit ends the process before a reporter's last words.
function summary(error) {
  const cause = error?.cause ?? error;
  const text = String(cause?.message ?? cause ?? 'failed');
  return text
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '')
    .join(' | ');
}

export default async function* failureSummary(source) {
  const failures = [];
  for await (const event of source) {
    if (event.type === 'test:fail') {
      const { name, file, details } = event.data;
      // A test whose subtests failed fails too; its own line adds nothing to theirs.
      if (details?.error?.failureType === 'subtestsFailed') continue;
      failures.push(`# FAILED ${file ?? '?'}: ${name}: ${summary(details?.error)}`.slice(0, 600));
    } else if (event.type === 'test:diagnostic' && /^tests \d+$/.test(event.data.message)) {
      if (failures.length === 0) continue;
      yield `# ${failures.length} failed test(s), listed again:\n${failures.join('\n')}\n`;
    }
  }
}
