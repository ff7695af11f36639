// CPU time per thread of this process (Linux /proc), to see how verification's work splits between
// its own thread and its workers on a machine shared with other work, where wall-clock rates
// mislead. Threads that exit during the run are caught by sampling every few milliseconds; the
// last few milliseconds of a thread's life can be missed.
import { readdirSync, readFileSync } from 'node:fs';

const TICKS_PER_SECOND = 100;

interface ThreadSample {
  readonly name: string;
  readonly seconds: number;
}

function sample(): Map<string, ThreadSample> {
  const threads = new Map<string, ThreadSample>();
  let tids: string[];
  try {
    tids = readdirSync('/proc/self/task');
  } catch {
    return threads;
  }
  for (const tid of tids) {
    try {
      const stat = readFileSync(`/proc/self/task/${tid}/stat`, 'utf8');
      // The name is in parentheses and may hold spaces; utime and stime are fields 14 and 15.
      const close = stat.lastIndexOf(')');
      const name = stat.slice(stat.indexOf('(') + 1, close);
      const fields = stat.slice(close + 2).split(' ');
      const ticks = Number(fields[11]) + Number(fields[12]);
      threads.set(tid, { name, seconds: ticks / TICKS_PER_SECOND });
    } catch {
      // The thread exited meanwhile.
    }
  }
  return threads;
}

/** Starts sampling; the returned function stops and gives the CPU seconds each thread used since. */
export function watchThreadCpu(everyMs = 20): () => { name: string; tid: string; seconds: number }[] {
  const before = sample();
  const last = new Map(before);
  const timer = setInterval(() => {
    for (const [tid, s] of sample()) last.set(tid, s);
  }, everyMs);
  return () => {
    clearInterval(timer);
    for (const [tid, s] of sample()) last.set(tid, s);
    return [...last]
      .map(([tid, s]) => ({ tid, name: s.name, seconds: s.seconds - (before.get(tid)?.seconds ?? 0) }))
      .filter((t) => t.seconds > 0)
      .sort((a, b) => b.seconds - a.seconds);
  };
}
