// Turns session plans into OpenTelemetry spans and sends them over OTLP/HTTP (JSON). The SDK's
// tracer builds the spans (ids, trace context, limits); instead of a batch processor the spans of
// one session are collected and exported together, so each session is one request whose outcome
// we see, count and log.
import {
  type Attributes,
  type Context,
  type Link,
  ROOT_CONTEXT,
  type Span,
  SpanKind,
  SpanStatusCode,
  TraceFlags,
  trace,
} from '@opentelemetry/api';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  AlwaysOnSampler,
  BasicTracerProvider,
  type ReadableSpan,
  type SpanExporter,
  type SpanProcessor,
} from '@opentelemetry/sdk-trace-node';
import type { SessionTracePlan } from './span-plan.js';

export interface OtlpOptions {
  /** The collector's traces URL (…/v1/traces). */
  readonly endpoint: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly serviceName: string;
  /** How long one export may take before it counts as failed. */
  readonly timeoutMs?: number;
}

/** Spans per OTLP request (collectors commonly accept a few MiB per request). */
export const SPANS_PER_REQUEST = 512;

/** Where a session's spans go; the OTLP exporter in production, anything with the same shape in tests. */
export interface SessionSpanSink {
  /** Resolves with the number of spans sent; rejects when the export failed. */
  send(plan: SessionTracePlan): Promise<number>;
  shutdown(): Promise<void>;
}

/** Keeps the spans the tracer ends, until the session's export takes them. */
class CollectingProcessor implements SpanProcessor {
  ended: ReadableSpan[] = [];
  onStart(): void {}
  onEnd(span: ReadableSpan): void {
    this.ended.push(span);
  }
  async forceFlush(): Promise<void> {}
  async shutdown(): Promise<void> {}
}

export class OtlpSessionExporter implements SessionSpanSink {
  readonly #collector = new CollectingProcessor();
  readonly #provider: BasicTracerProvider;
  readonly #exporter: SpanExporter;

  constructor(options: OtlpOptions, exporter?: SpanExporter) {
    this.#provider = new BasicTracerProvider({
      resource: resourceFromAttributes({ 'service.name': options.serviceName }),
      // Tracing on means every session is exported: the client's sampled flag is not recorded, and
      // an audit trace with holes would mislead.
      sampler: new AlwaysOnSampler(),
      spanProcessors: [this.#collector],
      spanLimits: { attributeCountLimit: 256, eventCountLimit: 1024, linkCountLimit: 256 },
    });
    this.#exporter =
      exporter ??
      new OTLPTraceExporter({
        url: options.endpoint,
        headers: { ...options.headers },
        timeoutMillis: options.timeoutMs ?? 10_000,
      });
  }

  async send(plan: SessionTracePlan): Promise<number> {
    const spans = this.#build(plan);
    // A 10,000-call run is one session: sent in requests of bounded size, so no request nears a
    // collector's body limit and the JSON of one request is all that is in memory at a time.
    for (let from = 0; from < spans.length; from += SPANS_PER_REQUEST) {
      const slice = spans.slice(from, from + SPANS_PER_REQUEST);
      const result = await new Promise<Parameters<Parameters<SpanExporter['export']>[1]>[0]>((resolve) =>
        this.#exporter.export(slice, resolve),
      );
      // ExportResultCode.SUCCESS is 0 (@opentelemetry/core, which we do not depend on directly).
      if (result.code !== 0) throw result.error ?? new Error('the collector refused the spans');
    }
    return spans.length;
  }

  /** Builds the plan's spans synchronously, so the collector holds exactly this session's. */
  #build(plan: SessionTracePlan): ReadableSpan[] {
    const tracer = this.#provider.getTracer('vigil');
    const created = new Map<string, Span>();
    const remote: Context = plan.remoteParent
      ? trace.setSpanContext(ROOT_CONTEXT, {
          traceId: plan.remoteParent.traceId,
          spanId: plan.remoteParent.spanId,
          traceFlags: TraceFlags.SAMPLED,
          isRemote: true,
        })
      : ROOT_CONTEXT;
    this.#collector.ended = [];
    for (const planned of plan.spans) {
      const parent = planned.parent === null ? undefined : created.get(planned.parent);
      // A span whose parent is missing from the plan stays in the trace under the session root.
      const context =
        parent !== undefined
          ? trace.setSpan(ROOT_CONTEXT, parent)
          : planned.parent !== null && created.has('session')
            ? trace.setSpan(ROOT_CONTEXT, created.get('session')!)
            : remote;
      const links: Link[] = planned.links
        .map((key) => created.get(key))
        .filter((s) => s !== undefined)
        .map((s) => ({ context: s.spanContext() }));
      const span = tracer.startSpan(
        planned.name,
        {
          kind: planned.kind === 'client' ? SpanKind.CLIENT : SpanKind.INTERNAL,
          startTime: new Date(planned.start),
          attributes: planned.attributes as Attributes,
          links,
          root: context === ROOT_CONTEXT,
        },
        context,
      );
      for (const event of planned.events)
        span.addEvent(event.name, event.attributes as Attributes, new Date(event.time));
      if (planned.error !== null) span.setStatus({ code: SpanStatusCode.ERROR, message: planned.error });
      created.set(planned.key, span);
    }
    // Ended children-first is not required by OTLP; ended after all exist so links resolve above.
    for (const planned of plan.spans) created.get(planned.key)?.end(new Date(planned.end));
    const spans = this.#collector.ended;
    this.#collector.ended = [];
    return spans;
  }

  async shutdown(): Promise<void> {
    await this.#exporter.shutdown();
    await this.#provider.shutdown();
  }
}
