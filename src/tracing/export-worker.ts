// The trace export worker: plans each finished session's spans and sends them over OTLP/HTTP, so
// none of that work runs on the gateway's event loop. One session at a time, in the order given;
// every request is answered (spans sent, or the failure's message for the gateway's masked log).
import { parentPort, workerData } from 'node:worker_threads';
import type { StoredEvent } from '../core/events.js';
import { OtlpSessionExporter } from './otlp-export.js';
import { PlanningExporter } from './session-exporter.js';
import type { ExportRequest, ExportWorkerSettings } from './worker-exporter.js';

const settings = workerData as ExportWorkerSettings;
const exporter = new PlanningExporter(
  new OtlpSessionExporter({
    endpoint: settings.endpoint,
    headers: settings.headers,
    serviceName: settings.serviceName,
  }),
  settings.content,
);

let queue = Promise.resolve();
parentPort!.on('message', (request: ExportRequest | 'close') => {
  if (request === 'close') {
    queue = queue.then(async () => {
      await exporter.shutdown().catch(() => undefined);
      parentPort!.close();
    });
    return;
  }
  queue = queue.then(() => exportOne(request.id, request.events));
});

async function exportOne(id: number, events: readonly StoredEvent[]): Promise<void> {
  try {
    const spans = await exporter.export(events);
    parentPort!.postMessage({ id, ok: true, spans });
  } catch (err) {
    parentPort!.postMessage({ id, ok: false, message: err instanceof Error ? err.message : String(err) });
  }
}
