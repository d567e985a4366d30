import { createServer, type Server } from 'node:http';
import { Gauge, Registry } from 'prom-client';

export interface Exporter {
  url: string;
  port: number;
  close(): Promise<void>;
}

/**
 * A small prom-client exporter the live Prometheus scrapes. Tests change what it reports with
 * `POST /control?inflight=N`; the alerting rules (fixtures/prometheus/rules.yml) read the rest.
 */
export async function startExporter(): Promise<Exporter> {
  const registry = new Registry();
  const queueDepth = new Gauge({ name: 'rollout_demo_queue_depth', help: 'Jobs waiting.', labelNames: ['service'], registers: [registry] });
  const up = new Gauge({ name: 'rollout_demo_up', help: 'Whether checkout serves.', labelNames: ['service'], registers: [registry] });
  const inflight = new Gauge({ name: 'rollout_demo_inflight', help: 'Requests in flight (set by tests).', registers: [registry] });
  queueDepth.set({ service: 'checkout' }, 250);
  up.set({ service: 'checkout' }, 1);
  inflight.set(0);

  const server: Server = createServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://localhost');
    if (request.method === 'POST' && url.pathname === '/control') {
      const value = Number(url.searchParams.get('inflight'));
      if (!Number.isFinite(value)) {
        response.writeHead(400).end('inflight must be a number');
        return;
      }
      inflight.set(value);
      response.writeHead(204).end();
      return;
    }
    if (url.pathname === '/metrics') {
      registry.metrics().then((text) => response.writeHead(200, { 'Content-Type': registry.contentType }).end(text));
      return;
    }
    response.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        // Prometheus keeps its scrape connection alive; close() alone would wait for it.
        server.closeAllConnections();
      }),
  };
}
