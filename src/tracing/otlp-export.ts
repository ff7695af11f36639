// Turns session plans into OpenTelemetry spans and sends them over OTLP/HTTP (JSON). The SDK's
// tracer builds the spans (ids, trace context, limits); instead of a batch processor the spans of
// one session are collected and exported together, so each session is one request whose outcome
// we see, count and log.
import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
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
  /** How long one request may take, retries included, before the export counts as failed. */
  readonly timeoutMs?: number;
}

const DEFAULT_TIMEOUT_MS = 10_000;

/** Spans per OTLP request (collectors commonly accept a few MiB per request). */
export const SPANS_PER_REQUEST = 512;
/**
 * Estimated bytes per OTLP request: a request is closed before its spans' names and attribute
 * values would pass this (the OpenTelemetry Collector refuses bodies over 20 MiB by default, and
 * escaping in the JSON can make the body a few times longer than its texts).
 */
export const MAX_REQUEST_BYTES = 3 * 1024 * 1024;

/**
 * The longest attribute value exported (longer strings are cut, by the SDK). Attribute values come
 * from what clients sent (a model name, a path, a table, with `content` the prompts): unbounded, one
 * span could exceed the collector's request limit, and the session's whole trace would be refused,
 * which a client could do on purpose to keep its session out of the tracing backend.
 */
export const MAX_ATTRIBUTE_LENGTH = 32 * 1024;
/** Span names carry a client's model, table or tool name: kept short, as backends index them. */
export const MAX_SPAN_NAME_LENGTH = 128;

type ExportResult = Parameters<Parameters<SpanExporter['export']>[1]>[0];

/** The transport's own retries stop at its deadline; ours fires only when a request outlives it. */
const DEADLINE_MARGIN_MS = 1_000;

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
  readonly #timeoutMs: number;
  /**
   * The exporter's own connections, so that a request past its deadline can be cut: the OTLP
   * transport's timeout is an idle timeout, which a collector that trickles its answer (a byte
   * every few seconds) never lets fire, so one export could hold the queue, and shutdown, for ever.
   */
  readonly #agent: HttpAgent | null = null;

  constructor(options: OtlpOptions, exporter?: SpanExporter) {
    this.#timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.#provider = new BasicTracerProvider({
      resource: resourceFromAttributes({ 'service.name': options.serviceName }),
      // Tracing on means every session is exported: the client's sampled flag is not recorded, and
      // an audit trace with holes would mislead.
      sampler: new AlwaysOnSampler(),
      spanProcessors: [this.#collector],
      spanLimits: {
        attributeCountLimit: 256,
        attributeValueLengthLimit: MAX_ATTRIBUTE_LENGTH,
        eventCountLimit: 1024,
        linkCountLimit: 256,
      },
    });
    if (exporter) {
      this.#exporter = exporter;
      return;
    }
    const agent =
      new URL(options.endpoint).protocol === 'https:'
        ? new HttpsAgent({ keepAlive: true })
        : new HttpAgent({ keepAlive: true });
    this.#agent = agent;
    this.#exporter = new OTLPTraceExporter({
      url: options.endpoint,
      headers: { ...options.headers },
      timeoutMillis: this.#timeoutMs,
      httpAgentOptions: async () => agent,
    });
  }

  async send(plan: SessionTracePlan): Promise<number> {
    const spans = this.#build(plan);
    // A 10,000-call run is one session: sent in requests of bounded size (in spans and in bytes),
    // so no request nears a collector's body limit and the JSON of one request is all that is in
    // memory at a time.
    for (const slice of requestSlices(spans)) {
      const result = await this.#exportWithin(slice);
      // ExportResultCode.SUCCESS is 0 (@opentelemetry/core, which we do not depend on directly).
      if (result.code !== 0) throw result.error ?? new Error('the collector refused the spans');
    }
    return spans.length;
  }

  /**
   * One request, answered or failed within the deadline. Past it the exporter's connections are
   * destroyed, which ends the request (and its retries) inside the transport too, so nothing of it
   * stays in memory; requests are sequential, so no other export's connection is cut.
   */
  #exportWithin(slice: ReadableSpan[]): Promise<ExportResult> {
    return new Promise<ExportResult>((resolve) => {
      const timer = setTimeout(() => {
        this.#agent?.destroy();
        resolve({ code: 1, error: new Error(`the collector did not answer within ${this.#timeoutMs} ms`) });
      }, this.#timeoutMs + DEADLINE_MARGIN_MS);
      this.#exporter.export(slice, (result) => {
        clearTimeout(timer);
        resolve(result);
      });
    });
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
        boundedName(planned.name),
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
    this.#agent?.destroy();
  }
}

/** A name cut to MAX_SPAN_NAME_LENGTH, never between the two halves of a surrogate pair. */
function boundedName(name: string): string {
  if (name.length <= MAX_SPAN_NAME_LENGTH) return name;
  const cut = name.slice(0, MAX_SPAN_NAME_LENGTH - 1);
  return `${/[\uD800-\uDBFF]$/.test(cut) ? cut.slice(0, -1) : cut}…`;
}

/** Consecutive runs of spans, each at most SPANS_PER_REQUEST and (but for a lone span) MAX_REQUEST_BYTES. */
function requestSlices(spans: readonly ReadableSpan[]): ReadableSpan[][] {
  const slices: ReadableSpan[][] = [];
  let current: ReadableSpan[] = [];
  let bytes = 0;
  for (const span of spans) {
    const size = estimatedBytes(span);
    if (current.length > 0 && (current.length >= SPANS_PER_REQUEST || bytes + size > MAX_REQUEST_BYTES)) {
      slices.push(current);
      current = [];
      bytes = 0;
    }
    current.push(span);
    bytes += size;
  }
  if (current.length > 0) slices.push(current);
  return slices;
}

/** Ids, times and the JSON around them (about 300 bytes), plus the texts: name, attributes, events. */
function estimatedBytes(span: ReadableSpan): number {
  let bytes = 300 + span.name.length + attributesBytes(span.attributes);
  for (const event of span.events) bytes += 100 + event.name.length + attributesBytes(event.attributes ?? {});
  return bytes + span.links.length * 100;
}

function attributesBytes(attributes: Attributes): number {
  let bytes = 0;
  for (const [key, value] of Object.entries(attributes)) {
    bytes += 40 + key.length;
    for (const item of Array.isArray(value) ? value : [value])
      bytes += typeof item === 'string' ? item.length : 24;
  }
  return bytes;
}
