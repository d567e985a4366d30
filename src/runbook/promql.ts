/**
 * PromQL an imported playbook starts from. Metrics are the conventional names (Prometheus
 * client libraries, node_exporter, blackbox_exporter) scoped by `${vars.job}`: until the
 * job is filled in the query returns no series, which is `error` — never a pass, never quiet.
 */

const JOB = 'job="${vars.job}"';

/** 5xx responses over all responses. */
export function errorRatioQuery(): string {
  return `sum(rate(http_requests_total{${JOB},code=~"5.."}[5m])) / sum(rate(http_requests_total{${JOB}}[5m]))`;
}

/** A latency quantile from the standard request-duration histogram, in seconds. */
export function latencyQuery(quantile: number): string {
  return `histogram_quantile(${quantile}, sum by (le) (rate(http_request_duration_seconds_bucket{${JOB}}[5m])))`;
}

/** Blackbox probes of the service: 1 when every probe succeeded. */
export function probeSuccessQuery(): string {
  return 'min(probe_success{job="${vars.probe_job}"})';
}

/** OOM kills on the nodes (node_exporter's vmstat), over a window. */
export function oomKillsQuery(window = '5m'): string {
  return `sum(increase(node_vmstat_oom_kill[${window}]))`;
}

/**
 * A metric nobody has yet: its name says what to put there. No series means `error`, so the
 * node can neither pass nor stay quiet until someone writes the real query.
 */
export function placeholderQuery(name: string, countWindow?: string): string {
  const metric = `todo_${name}`;
  return countWindow ? `sum(increase(${metric}_total[${countWindow}]))` : metric;
}
