// What a forwarder hands a sink, and what a sink promises back.

/** One ledger event, formatted, with what a transport's own framing needs (syslog's header). */
export interface SiemRecord {
  readonly index: number;
  readonly type: string;
  readonly time: string;
  /** The event as one JSON line, without the newline. */
  readonly line: string;
}

export interface SiemSink {
  /**
   * Delivers a batch, in order. Resolves only once the destination acknowledged all of it in the
   * sink's own sense (HTTP 2xx, fsync, written to the socket); rejects otherwise, and the whole
   * batch is sent again later. Never called again before the previous call settled.
   */
  deliver(batch: readonly SiemRecord[]): Promise<void>;
  /** Releases connections and files; a later deliver reopens them. */
  close(): Promise<void>;
}

/** A delivery failure described without user content (a status, an errno), for status and logs. */
export class SinkError extends Error {
  override readonly name = 'SinkError';
}
