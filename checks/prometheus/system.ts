import { z } from 'zod';
import { defineSystem, duration } from '../../src/sdk/index.js';

/** One Prometheus connection, as written under `environments.E.prometheus`. */
export const prometheusSettings = z.strictObject({
  /** Base URL of the Prometheus HTTP API (a path prefix such as `/prometheus` is kept). */
  url: z.url({ protocol: /^https?$/, error: 'url must be an http:// or https:// URL, e.g. http://prometheus:9090' }),
  /** Sent with every request, e.g. `Authorization: "Bearer ${secret:PROM_TOKEN}"`. */
  headers: z.record(z.string(), z.string()).optional(),
  tls: z
    .strictObject({
      /** Accept any certificate. For lab environments only. */
      insecureSkipVerify: z.boolean().optional(),
      /** A PEM certificate authority: the PEM text itself, or a file path relative to the playbook. */
      ca: z.string().optional(),
    })
    .optional(),
  /** Bound of one HTTP request (default 30s); the node's `timeout` bounds the whole attempt. */
  timeout: duration.optional(),
  /** An Alertmanager for `prometheus.alerts` with `source: alertmanager`. */
  alertmanagerUrl: z.url({ protocol: /^https?$/, error: 'alertmanagerUrl must be an http:// or https:// URL' }).optional(),
});

export type PrometheusSettings = z.output<typeof prometheusSettings>;

export default defineSystem({
  name: 'prometheus',
  summary: 'A Prometheus HTTP API (and optionally an Alertmanager) that prometheus.* checks query',
  settings: prometheusSettings,
});
