// POSTs each batch as JSON lines (application/x-ndjson). A 2xx answer acknowledges the batch; any
// other answer, a timeout or a broken connection fails it and it is sent again whole.
// Redirects are never followed: after a 301/302/303 fetch would send a bodiless GET whose 2xx
// acknowledges a batch nobody received, and any redirect hands the configured headers (the SIEM
// token) to whatever host it names. A 3xx is a failed delivery like any other non-2xx answer.
import { type SiemRecord, type SiemSink, SinkError } from './sink.js';

export interface HttpSinkOptions {
  readonly url: string;
  /** Resolved header values (secrets: never logged, never in errors). */
  readonly headers: Readonly<Record<string, string>>;
  readonly timeoutMs: number;
}

export class HttpSink implements SiemSink {
  readonly #options: HttpSinkOptions;
  /** Aborts requests in flight when the sink is closed (a collector that never answers must not hold up shutdown). */
  #closing = new AbortController();

  constructor(options: HttpSinkOptions) {
    this.#options = options;
  }

  async deliver(batch: readonly SiemRecord[]): Promise<void> {
    let res: Response;
    try {
      res = await fetch(this.#options.url, {
        method: 'POST',
        headers: { ...this.#options.headers, 'content-type': 'application/x-ndjson' },
        body: batch.map((r) => `${r.line}\n`).join(''),
        redirect: 'manual',
        signal: AbortSignal.any([this.#closing.signal, AbortSignal.timeout(this.#options.timeoutMs)]),
      });
    } catch (err) {
      throw new SinkError(`POST failed: ${describeFetchError(err)}`);
    }
    // The answer's body is the collector's to keep: read and dropped so the connection is reusable.
    await res.arrayBuffer().catch(() => undefined);
    if (res.status < 200 || res.status > 299) throw new SinkError(`POST answered ${res.status}`);
  }

  async close(): Promise<void> {
    this.#closing.abort();
    this.#closing = new AbortController();
  }
}

/** The cause's code (ECONNREFUSED, UND_ERR_SOCKET, TimeoutError): never a URL or a header. */
function describeFetchError(err: unknown): string {
  const cause = (err as { cause?: { code?: unknown; name?: unknown } }).cause;
  if (cause && typeof cause.code === 'string') return cause.code;
  const name = (err as { name?: unknown }).name;
  return typeof name === 'string' ? name : 'error';
}
