import { z } from 'zod';
import { defineSystem, duration, tlsSettings } from '../../src/sdk/index.js';

/** One Prometheus connection, as written under `environments.E.prometheus`. */
export const prometheusSettings = z.strictObject({
  url: z.url({ protocol: /^https?$/, error: 'url must be an http:// or https:// URL, e.g. http://prometheus:9090' }).describe('Base URL of the Prometheus HTTP API (a path prefix such as `/prometheus` is kept).'),
  headers: z.record(z.string(), z.string()).optional().describe('Sent with every request, e.g. `Authorization: "Bearer ${secret:PROM_TOKEN}"`.'),
  tls: tlsSettings.optional(),
  timeout: duration.optional().describe('Bound of one HTTP request (default 30s); the node\'s `timeout` bounds the whole attempt.'),
  alertmanagerUrl: z.url({ protocol: /^https?$/, error: 'alertmanagerUrl must be an http:// or https:// URL' }).optional().describe('An Alertmanager for `prometheus.alerts` with `source: alertmanager`.'),
});

export type PrometheusSettings = z.output<typeof prometheusSettings>;

export default defineSystem({
  name: 'prometheus',
  summary: 'A Prometheus HTTP API (and optionally an Alertmanager) that prometheus.* checks query',
  settings: prometheusSettings,
  missingHint: 'add `prometheus: { url: ... }` under the environment',
});
