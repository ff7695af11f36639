// Every configured sink with its forwarder: built from the `siem` section, woken by commits, asked
// for status by /api/siem and /healthz, stopped (after a bounded flush) when the gateway closes.
import { join } from 'node:path';
import type { SiemConfig, SiemSinkConfig } from '../core/config.js';
import type { EventSource } from '../core/ports.js';
import { CursorFile } from './cursor-file.js';
import { FileSink } from './file-sink.js';
import { type ForwarderStatus, SiemForwarder } from './forwarder.js';
import { HttpSink } from './http-sink.js';
import type { SiemSink } from './sink.js';
import { SyslogSink } from './syslog-sink.js';

export interface SiemServiceOptions {
  readonly config: SiemConfig;
  readonly dataDir: string;
  readonly source: EventSource;
  readonly ledgerSize: () => number;
  /** Resolves a secret reference (HTTP header values). */
  readonly resolveSecret: (ref: string) => string;
  /** Resolves a path from the configuration (relative to the config file). */
  readonly resolvePath: (path: string) => string;
  readonly onError: (sink: string, message: string) => void;
}

/** Cursor files live here, one per sink, named after it. */
export function siemCursorDir(dataDir: string): string {
  return join(dataDir, 'siem');
}

export class SiemService {
  readonly #forwarders: SiemForwarder[];
  readonly #fileSinks: FileSink[] = [];
  readonly #onHangup = () => {
    for (const sink of this.#fileSinks) sink.reopen();
  };

  constructor(options: SiemServiceOptions) {
    const cursorDir = siemCursorDir(options.dataDir);
    this.#forwarders = options.config.sinks.map(
      (sinkConfig) =>
        new SiemForwarder({
          name: sinkConfig.name,
          type: sinkConfig.type,
          sink: this.#buildSink(sinkConfig, options),
          source: options.source,
          cursor: new CursorFile(cursorDir, sinkConfig.name),
          format: sinkConfig.format,
          batchSize: sinkConfig.batch_size,
          pollMs: options.config.poll,
          maxBackoffMs: options.config.max_backoff,
          ledgerSize: options.ledgerSize,
          onError: (message) => options.onError(sinkConfig.name, message),
        }),
    );
  }

  #buildSink(sink: SiemSinkConfig, options: SiemServiceOptions): SiemSink {
    switch (sink.type) {
      case 'http':
        return new HttpSink({
          url: sink.url,
          headers: Object.fromEntries(
            Object.entries(sink.headers).map(([name, ref]) => [name, options.resolveSecret(ref)]),
          ),
          timeoutMs: sink.timeout,
        });
      case 'file': {
        const file = new FileSink(options.resolvePath(sink.path));
        this.#fileSinks.push(file);
        return file;
      }
      case 'syslog':
        return new SyslogSink({
          host: sink.host,
          port: sink.port,
          tls: sink.tls,
          caFile: sink.ca === undefined ? undefined : options.resolvePath(sink.ca),
          facility: sink.facility,
          appName: sink.app_name,
        });
    }
  }

  start(): void {
    for (const f of this.#forwarders) f.start();
    // logrotate's postrotate sends SIGHUP: file sinks reopen their path.
    if (this.#fileSinks.length > 0) process.on('SIGHUP', this.#onHangup);
  }

  /** Called after each commit: forwarders look at once. Never waits. */
  wake(): void {
    for (const f of this.#forwarders) f.wake();
  }

  status(): ForwarderStatus[] {
    return this.#forwarders.map((f) => f.status());
  }

  /** Flushes what each sink takes within `deadlineMs`, then stops every forwarder. */
  async stop(deadlineMs: number): Promise<void> {
    process.off('SIGHUP', this.#onHangup);
    await Promise.all(this.#forwarders.map((f) => f.stop(deadlineMs)));
  }
}
