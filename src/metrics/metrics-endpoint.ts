// GET /metrics: the Prometheus text exposition of the gateway's own registry, for the scrape token
// or an admin. Scrapes are not recorded in the ledger: a scraper calls every few seconds, and what
// it reads holds no recorded content (counts, names the operator configured, durations).
import type { IncomingMessage, ServerResponse } from 'node:http';
import { toVigilError, VigilError } from '../core/errors.js';
import { extractClientToken } from '../http/credentials.js';
import { sendJsonError } from '../http/json-response.js';
import type { GatewayMetrics } from './gateway-metrics.js';
import { checkScrapeAccess, type ScrapeAccessOptions } from './scrape-access.js';

export const METRICS_PATH = '/metrics';

export type MetricsEndpoint = (req: IncomingMessage, res: ServerResponse) => Promise<void>;

export function metricsEndpoint(metrics: GatewayMetrics, access: ScrapeAccessOptions): MetricsEndpoint {
  return async (req, res) => {
    req.resume();
    try {
      if (req.method !== 'GET' && req.method !== 'HEAD') {
        throw new VigilError('route_unknown', `${req.method} is not supported on ${METRICS_PATH}`);
      }
      await checkScrapeAccess(extractClientToken(req.headers), access);
      const { contentType, body } = await metrics.exposition();
      res.writeHead(200, {
        'content-type': contentType,
        'content-length': Buffer.byteLength(body),
        'cache-control': 'no-store',
      });
      res.end(req.method === 'HEAD' ? undefined : body);
    } catch (err) {
      sendJsonError(res, toVigilError(err));
    }
  };
}
