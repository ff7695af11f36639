// OpenTelemetry traces built from the ledger (docs/tracing.md). The gateway starts this when the
// configuration has a `tracing` section; nothing else of Vigil knows OpenTelemetry.
import type { RecordedEvent, StoredEvent } from '../core/events.js';
import { SessionTracer, type TracingLogger } from './session-tracer.js';
import { WorkerExporter } from './worker-exporter.js';

export { OtlpSessionExporter, type SessionSpanSink } from './otlp-export.js';
export { planSessionTrace } from './session-plan.js';
export { SessionTracer, type TracingStats } from './session-tracer.js';
export type { PlannedSpan, SessionTracePlan } from './span-plan.js';

export interface TracingSettings {
  readonly otlp_endpoint: string;
  readonly service_name: string;
  readonly content: boolean;
}

export interface TracingWiring {
  /** Subscribes to commits (the recorder's onCommit). */
  readonly onCommit: (listener: (events: readonly RecordedEvent[]) => void) => void;
  readonly readSession: (sessionId: string) => Promise<StoredEvent[]>;
  /** Export headers with their secret references already resolved. */
  readonly headers: Readonly<Record<string, string>>;
  readonly logger: TracingLogger;
}

export function startTracing(settings: TracingSettings, wiring: TracingWiring): SessionTracer {
  const tracer = new SessionTracer({
    readSession: wiring.readSession,
    exporter: new WorkerExporter({
      endpoint: settings.otlp_endpoint,
      headers: wiring.headers,
      serviceName: settings.service_name,
      content: settings.content,
    }),
    logger: wiring.logger,
  });
  wiring.onCommit(tracer.onCommit);
  return tracer;
}
