// Reads what the server says it executed from its JSON-lines log. With log_statement=all the
// server writes, per backend:
// - simple Query: `statement: <the whole query string>` once raw parsing succeeded (a string the
//   parser rejects is never logged this way: nothing of it ran);
// - Execute: `execute <stmt>[/<portal>]: <source text>` (`<unnamed>` for the unnamed statement,
//   `execute fetch from ...` when a suspended portal is resumed), logged before the portal runs, so
//   a statement that fails at run time is logged; an Execute of a missing portal or of an empty
//   query is not.
// Parse, Bind, Describe and Close are not logged at all.
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';

export interface ServerExecution {
  /** The statement text as the server saw it (after client-encoding conversion). */
  readonly text: string;
  readonly via: 'simple' | 'extended';
  /** The log line's own words before the text (`statement`, `execute s1/c1`), for messages. */
  readonly label: string;
  /** Epoch milliseconds of the log record. */
  readonly at: number;
}

interface LogRecord {
  readonly timestamp?: string;
  readonly pid?: number;
  readonly message?: string;
  readonly error_severity?: string;
}

const EXECUTE = /^(execute(?: fetch from)? [^:]*): ([\s\S]*)$/;

function epoch(timestamp: string): number {
  // "2026-12-01 17:48:58.713 UTC" (log_timezone=UTC)
  return Date.parse(`${timestamp.replace(' UTC', 'Z').replace(' ', 'T')}`);
}

export function executionOf(record: LogRecord): ServerExecution | null {
  const message = record.message ?? '';
  if (record.error_severity !== 'LOG') return null;
  const at = epoch(record.timestamp ?? '');
  if (message.startsWith('statement: ')) {
    return { text: message.slice('statement: '.length), via: 'simple', label: 'statement', at };
  }
  const m = EXECUTE.exec(message);
  if (m) return { text: m[2]!, via: 'extended', label: m[1]!, at };
  return null;
}

/** Follows the log file as it grows, keeping the records of each backend. */
export class ServerLog {
  readonly #file: string;
  readonly #byPid = new Map<number, LogRecord[]>();
  #offset = 0;
  #partial = '';

  constructor(file: string) {
    this.#file = file;
  }

  #readMore(): void {
    const fd = openSync(this.#file, 'r');
    try {
      const size = fstatSync(fd).size;
      if (size <= this.#offset) return;
      const buf = Buffer.alloc(size - this.#offset);
      readSync(fd, buf, 0, buf.length, this.#offset);
      this.#offset = size;
      // A record may be cut mid-line (or mid-character): the rest is kept until its newline arrives.
      const text = this.#partial + buf.toString('latin1');
      const lastNewline = text.lastIndexOf('\n');
      this.#partial = text.slice(lastNewline + 1);
      for (const line of text.slice(0, lastNewline + 1).split('\n')) {
        if (line.trim() === '') continue;
        const record = JSON.parse(Buffer.from(line, 'latin1').toString('utf8')) as LogRecord;
        if (record.pid === undefined) continue;
        const list = this.#byPid.get(record.pid) ?? [];
        list.push(record);
        this.#byPid.set(record.pid, list);
      }
    } finally {
      closeSync(fd);
    }
  }

  /**
   * Everything the backend `pid` executed, in order, once its `disconnection` record is in the
   * log (so the list is complete). Throws if it has not disconnected within `timeoutMs`.
   */
  async executionsOf(pid: number, timeoutMs = 10_000): Promise<ServerExecution[]> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      this.#readMore();
      const mine = this.#byPid.get(pid) ?? [];
      if (mine.some((r) => r.message?.startsWith('disconnection:'))) {
        this.#byPid.delete(pid);
        return mine.map(executionOf).filter((e): e is ServerExecution => e !== null);
      }
      if (Date.now() > deadline) throw new Error(`backend ${pid} did not disconnect within ${timeoutMs} ms`);
      await new Promise((r) => setTimeout(r, 10));
    }
  }
}
