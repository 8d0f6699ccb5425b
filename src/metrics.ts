import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

/**
 * Prometheus metrics for operators (GET /metrics). Aggregates only: no tenant or user ids, so the
 * endpoint reveals nothing about who uses the instance. Per-tenant figures live in the usage API.
 */
export function createMetrics() {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'chatapi_' });
  return {
    registry,
    httpRequests: new Counter({
      name: 'chatapi_http_requests_total',
      help: 'HTTP requests answered, by method and status class',
      labelNames: ['method', 'status'] as const,
      registers: [registry],
    }),
    messagesStored: new Counter({
      name: 'chatapi_messages_stored_total',
      help: 'Messages stored (retries excluded)',
      registers: [registry],
    }),
    sendBatchSize: new Histogram({
      name: 'chatapi_send_batch_size',
      help: 'Messages per group-commit transaction',
      buckets: [1, 2, 4, 8, 16, 32, 64, 128, 256],
      registers: [registry],
    }),
    rateLimited: new Counter({
      name: 'chatapi_rate_limited_total',
      help: 'Requests refused by a tenant rate limit',
      registers: [registry],
    }),
    webSockets: new Gauge({
      name: 'chatapi_websocket_connections',
      help: 'Open WebSocket connections',
      labelNames: ['protocol'] as const,
      registers: [registry],
    }),
  };
}

export type Metrics = ReturnType<typeof createMetrics>;
