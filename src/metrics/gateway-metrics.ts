// Vigil's Prometheus metrics: one prom-client Registry per gateway (never the global one, so two
// gateways in one process, as in tests, never share counts), the instruments the pipeline, the
// recorder and the masker feed, and the gauges read at scrape time. Labels carry only what the
// operator configured or Vigil defines (connection, protocol and rule names, event types,
// outcomes), never what a client sent. The metrics and their meaning: docs/metrics.md.
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import type { EventType, RecordedEvent } from '../core/events.js';
import type { ActionOutcome, PipelineObserver } from '../pipeline/observer.js';
import type { EventContext } from '../pipeline/pipeline.js';

/** What the gauges read when scraped: filled in by the gateway once its parts exist. */
export interface GatewayReadings {
  /** Events in the global log as committed. */
  ledgerSize(): number;
  /** Events covered by the latest signed checkpoint. */
  checkpointedSize(): number;
  /** Requests waiting for reviewers: their kind and when they were made (ISO time). */
  pendingApprovals(): Promise<readonly { readonly kind: string; readonly createdAt: string }[]>;
  /** Sessions open now. */
  liveSessions(): readonly { readonly protocol: string; readonly connection: string }[];
  now(): number;
}

/** Seconds: from a tenth of a millisecond (a cached allow) to the seconds a stalled disk takes. */
const LATENCY_BUCKETS = [
  0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5,
];
const BATCH_BUCKETS = [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024];

export class GatewayMetrics implements PipelineObserver {
  readonly registry = new Registry();
  readonly #actions: Counter<'connection' | 'protocol' | 'kind' | 'outcome'>;
  readonly #addedLatency: Histogram<'protocol'>;
  readonly #recordFailures: Counter<'connection'>;
  readonly #appended: Counter;
  readonly #commitSeconds: Histogram;
  readonly #batchSize: Histogram;
  readonly #maskHits: Counter<'rule'>;
  readonly #loginsRefused: Counter<'connection' | 'cap'>;
  readonly #httpRefused: Counter;
  #readings: GatewayReadings | null = null;
  #pendingRead: Promise<readonly { readonly kind: string; readonly createdAt: string }[]> | null = null;

  constructor() {
    const registers = [this.registry];
    collectDefaultMetrics({ register: this.registry });
    this.#actions = new Counter({
      name: 'vigil_actions_total',
      help: 'Actions submitted through the pipeline, by connection, protocol, event type and outcome (allowed|denied|held|failed).',
      labelNames: ['connection', 'protocol', 'kind', 'outcome'],
      registers,
    });
    this.#addedLatency = new Histogram({
      name: 'vigil_added_latency_seconds',
      help: 'Time the pipeline spent judging, masking and durably recording an allowed action before the adapter could forward it, without time held for review.',
      labelNames: ['protocol'],
      buckets: LATENCY_BUCKETS,
      registers,
    });
    this.#recordFailures = new Counter({
      name: 'vigil_record_failures_total',
      help: 'Events the pipeline could not record (in either failure mode), by connection.',
      labelNames: ['connection'],
      registers,
    });
    this.#appended = new Counter({
      name: 'vigil_ledger_appended_events_total',
      help: 'Events durably appended to the ledger by this process.',
      registers,
    });
    this.#commitSeconds = new Histogram({
      name: 'vigil_ledger_commit_seconds',
      help: "Duration of the recorder's durable commits, one observation per batch (positions, hashes, the store's write and fsync).",
      buckets: LATENCY_BUCKETS,
      registers,
    });
    this.#batchSize = new Histogram({
      name: 'vigil_ledger_commit_batch_events',
      help: 'Events per durable commit (group commit batch size).',
      buckets: BATCH_BUCKETS,
      registers,
    });
    this.#maskHits = new Counter({
      name: 'vigil_mask_hits_total',
      help: 'Replacements the masker made, by rule id.',
      labelNames: ['rule'],
      registers,
    });
    this.#loginsRefused = new Counter({
      name: 'vigil_logins_refused_total',
      help: 'Connections turned away at a database or SSH listener because too many were still logging in, by connection and by the bound reached (cap: listener for listeners.max_pending_logins, source for listeners.max_pending_logins_per_source).',
      labelNames: ['connection', 'cap'],
      registers,
    });
    this.#httpRefused = new Counter({
      name: 'vigil_http_connections_refused_total',
      help: "Connections closed at once by the gateway's HTTP listener because it held listeners.http_max_connections already.",
      registers,
    });
    this.#defineGauges(registers);
  }

  /** Gives the scrape-time gauges their sources; until then they read nothing. */
  watch(readings: GatewayReadings): void {
    this.#readings = readings;
  }

  actionDecided(ctx: EventContext, type: EventType, outcome: ActionOutcome, seconds: number): void {
    this.#actions.inc({ connection: ctx.connection, protocol: ctx.protocol, kind: type, outcome });
    // Only an allowed action is forwarded, so only its time was added in front of the target.
    if (outcome === 'allowed') this.#addedLatency.observe({ protocol: ctx.protocol }, seconds);
  }

  recordFailed(connection: string): void {
    this.#recordFailures.inc({ connection });
  }

  /** The listeners' report of a client turned away (server/tcp-listener.ts ListenerObserver). */
  loginRefused(connection: string, cap: 'listener' | 'source'): void {
    this.#loginsRefused.inc({ connection, cap });
  }

  /** The HTTP listener's report of a connection closed over its cap (server/http-listen.ts). */
  httpConnectionRefused(): void {
    this.#httpRefused.inc();
  }

  /** The recorder's commit listener. */
  readonly committed = (events: readonly RecordedEvent[], seconds: number): void => {
    this.#appended.inc(events.length);
    this.#commitSeconds.observe(seconds);
    this.#batchSize.observe(events.length);
  };

  /** The masker's replacement hook. */
  readonly maskReplaced = (ruleId: string): void => {
    this.#maskHits.inc({ rule: ruleId });
  };

  /** The text exposition of every metric. */
  async exposition(): Promise<{ readonly contentType: string; readonly body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }

  /**
   * The pending requests, read once per scrape: both approval gauges are collected in the same
   * tick, so the second joins the read the first started.
   */
  #pendingApprovals(): Promise<readonly { readonly kind: string; readonly createdAt: string }[]> {
    if (!this.#readings) return Promise.resolve([]);
    this.#pendingRead ??= this.#readings.pendingApprovals().finally(() => {
      this.#pendingRead = null;
    });
    return this.#pendingRead;
  }

  #defineGauges(registers: Registry[]): void {
    const metrics = this;
    new Gauge({
      name: 'vigil_ledger_size_events',
      help: 'Events in the global ledger log.',
      registers,
      collect() {
        if (metrics.#readings) this.set(metrics.#readings.ledgerSize());
      },
    });
    new Gauge({
      name: 'vigil_ledger_checkpoint_lag_events',
      help: 'Events recorded but not yet covered by a signed checkpoint.',
      registers,
      collect() {
        const r = metrics.#readings;
        if (r) this.set(Math.max(0, r.ledgerSize() - r.checkpointedSize()));
      },
    });
    new Gauge({
      name: 'vigil_approvals_pending',
      help: 'Approval requests waiting for reviewers, by kind.',
      labelNames: ['kind'],
      registers,
      async collect() {
        const waiting = await metrics.#pendingApprovals();
        this.reset();
        for (const a of waiting) this.inc({ kind: a.kind });
      },
    });
    new Gauge({
      name: 'vigil_approvals_oldest_pending_age_seconds',
      help: 'Age of the oldest approval request still waiting for reviewers (0 when none).',
      registers,
      async collect() {
        const waiting = await metrics.#pendingApprovals();
        const oldest = Math.min(...waiting.map((a) => Date.parse(a.createdAt)));
        const now = metrics.#readings?.now() ?? 0;
        this.set(waiting.length === 0 ? 0 : Math.max(0, (now - oldest) / 1000));
      },
    });
    new Gauge({
      name: 'vigil_sessions_live',
      help: 'Sessions open now, by protocol and connection.',
      labelNames: ['protocol', 'connection'],
      registers,
      collect() {
        const r = metrics.#readings;
        if (!r) return;
        this.reset();
        for (const s of r.liveSessions()) this.inc({ protocol: s.protocol, connection: s.connection });
      },
    });
  }
}
