// What the SIEM tests deliver to: a real node:http collector that can be killed and brought back on
// the same port (or told to hold its answers), and helpers that compare what arrived with the ledger.
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { RawEventRow } from '../../src/core/ports.js';
import type { TestGateway } from '../support/gateway.js';

/** One POST the collector acknowledged (answered 2xx): its documents, in the order they came. */
export interface Receipt {
  readonly documents: readonly Record<string, unknown>[];
}

export class HttpCollector {
  /** Batches acknowledged with 200, in arrival order. */
  readonly receipts: Receipt[] = [];
  /** Every byte that reached the collector, acknowledged or not (for leak checks). */
  raw = '';
  /** Headers of the last request (to check the content type and the configured header). */
  lastHeaders: IncomingMessage['headers'] = {};
  /** While true, requests are read but never answered (a collector that hangs). */
  holdAnswers = false;
  #server: Server | null = null;
  #port = 0;
  readonly #held: ServerResponse[] = [];

  get port(): number {
    return this.#port;
  }

  get url(): string {
    return `http://127.0.0.1:${this.#port}/ingest`;
  }

  async start(): Promise<void> {
    const server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const body = Buffer.concat(chunks).toString('utf8');
        this.raw += body;
        this.lastHeaders = req.headers;
        if (this.holdAnswers) {
          this.#held.push(res);
          return;
        }
        const documents = body
          .split('\n')
          .filter((line) => line !== '')
          .map((line) => JSON.parse(line) as Record<string, unknown>);
        this.receipts.push({ documents });
        res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
      });
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.#port, '127.0.0.1', () => resolve());
    });
    this.#port = (server.address() as { port: number }).port;
    this.#server = server;
  }

  /** The collector dies: listener closed, every connection destroyed (requests in flight included). */
  async kill(): Promise<void> {
    const server = this.#server;
    this.#server = null;
    if (!server) return;
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeAllConnections();
    for (const res of this.#held.splice(0)) res.destroy();
    await closed;
  }
}

/** Every row of the ledger, in index order. */
export async function ledgerRows(gateway: TestGateway): Promise<RawEventRow[]> {
  await gateway.recorder.drain();
  const rows: RawEventRow[] = [];
  for (;;) {
    const batch = await gateway.store.eventSource.readEvents(rows.length, 1000);
    if (batch.length === 0) return rows;
    rows.push(...batch);
  }
}

/** The vigil-format view of a document, whichever format it came in (ECS nests it under `vigil`). */
export function vigilPart(document: Record<string, unknown>): Record<string, unknown> {
  return (document.vigil as Record<string, unknown> | undefined) ?? document;
}

/**
 * Delivered documents (in arrival order, duplicates allowed) against the ledger: each batch in
 * ascending contiguous order, first deliveries in ledger order, and deduplicated by index the
 * delivered events equal the ledger's exactly (hash, chain, payload as stored), none missing.
 */
export function assertDeliveredEqualsLedger(
  batches: readonly (readonly Record<string, unknown>[])[],
  rows: readonly RawEventRow[],
): void {
  const firstSeen: Record<string, unknown>[] = [];
  for (const batch of batches) {
    const indexes = batch.map((d) => vigilPart(d).index as number);
    indexes.forEach((index, i) => {
      if (i > 0) assert.equal(index, indexes[i - 1]! + 1, 'a batch holds consecutive indexes');
    });
    for (const d of batch) {
      const index = vigilPart(d).index as number;
      // A batch sent again may repeat what was delivered; anything new continues exactly at the end.
      if (index < firstSeen.length) continue;
      assert.equal(
        index,
        firstSeen.length,
        `event ${firstSeen.length} is missing (next delivered: ${index})`,
      );
      firstSeen.push(d);
    }
  }
  assert.equal(firstSeen.length, rows.length, 'every ledger event was delivered');
  rows.forEach((row, i) => {
    const v = vigilPart(firstSeen[i]!);
    assert.deepEqual(
      {
        index: v.index,
        hash: v.hash,
        prev_hash: v.prev_hash,
        payload_hash: v.payload_hash,
        session: v.session,
        seq: v.seq,
        type: v.type,
        time: v.time,
        connection: v.connection,
        identity: v.identity,
        payload: v.payload,
      },
      {
        index: row.index,
        hash: row.hash,
        prev_hash: row.prevHash,
        payload_hash: row.payloadHash,
        session: row.sessionId,
        seq: row.seq,
        type: row.type,
        time: row.time,
        connection: row.connection,
        identity: JSON.parse(row.identity),
        payload: row.payload === null ? null : JSON.parse(row.payload),
      },
      `event ${i} as delivered differs from the ledger`,
    );
  });
}

export async function waitFor(
  what: string,
  check: () => boolean | Promise<boolean>,
  timeoutMs = 60_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
