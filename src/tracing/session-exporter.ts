// What happens to a finished session's events: plan its spans (the reasoning tree gives their
// parents) and send them. The tracer calls this through the worker (worker-exporter.ts) so that
// planning, the SDK's span objects and the OTLP JSON never hold the gateway's event loop; it runs
// in-thread only inside that worker.
import type { StoredEvent } from '../core/events.js';
import type { SessionSpanSink } from './otlp-export.js';
import { planSessionTrace } from './session-plan.js';

/** Exports one finished session; resolves with the spans sent, rejects when the export failed. */
export interface SessionExporter {
  export(events: readonly StoredEvent[]): Promise<number>;
  shutdown(): Promise<void>;
}

export class PlanningExporter implements SessionExporter {
  readonly #sink: SessionSpanSink;
  readonly #content: boolean;

  constructor(sink: SessionSpanSink, content: boolean) {
    this.#sink = sink;
    this.#content = content;
  }

  async export(events: readonly StoredEvent[]): Promise<number> {
    const plan = planSessionTrace(events, { content: this.#content });
    return plan ? this.#sink.send(plan) : 0;
  }

  shutdown(): Promise<void> {
    return this.#sink.shutdown();
  }
}
