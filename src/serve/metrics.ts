import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/**
 * The server's own metrics. promtool (2.42) rejects counters that do not end in `_total`
 * and some of prom-client's default process metrics, so those are renamed or dropped:
 * `/metrics` must pass `promtool check metrics`.
 */
export function createServeMetrics() {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'rollout_serve_' });
  // Gauges named like counters: promtool rejects them, and handles/requests are process noise.
  for (const name of ['nodejs_active_handles_total', 'nodejs_active_requests_total', 'nodejs_active_resources_total']) registry.removeSingleMetric(`rollout_serve_${name}`);
  const requests = new Counter({ name: 'rollout_serve_http_requests_total', help: 'HTTP requests by route and status code.', labelNames: ['route', 'code'], registers: [registry] });
  const runs = new Counter({ name: 'rollout_serve_runs_total', help: 'Runs by playbook, environment, question and verdict.', labelNames: ['playbook', 'env', 'what', 'verdict'], registers: [registry] });
  const duration = new Histogram({ name: 'rollout_serve_run_duration_seconds', help: 'Time from admission to answer, per question.', labelNames: ['what'], buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60], registers: [registry] });
  return { registry, requests, runs, duration };
}

export type ServeMetrics = ReturnType<typeof createServeMetrics>;
