// Run results as Prometheus metrics text, so dashboards and alerts can follow gates over time.
// Pure: writing the textfile and pushing to a Pushgateway are sinks (src/session/metrics-sink.ts).
import type { Registry } from 'prom-client';
import type { RunResult } from '../run/types.js';

/** The labels that identify a run; on a Pushgateway they are the grouping key. */
const RUN_LABELS = ['playbook', 'env', 'command'] as const;
const NODE_LABELS = ['node', 'kind', 'role'] as const;

/**
 * Metric names (documented in README.md):
 * - rollout_run_verdict{verdict}              1 for the run's verdict
 * - rollout_run_exit_code                     the exit code
 * - rollout_run_duration_seconds              the run's wall time
 * - rollout_run_last_timestamp_seconds        when the run ended (Unix time)
 * - rollout_run_dry_run, rollout_run_partial  1 or 0
 * - rollout_nodes{status}                     how many nodes ended in each status
 * - rollout_node_status{node,kind,role,severity,status}  1 for each node's status
 * - rollout_node_duration_seconds{node,kind,role}
 * - rollout_node_attempts{node,kind,role}
 * - rollout_node_observed{node,kind,role}     the observed value, when it is a finite number
 */
async function buildRegistry(result: RunResult, withRunLabels: boolean): Promise<Registry> {
  const { Gauge, Registry } = await import('prom-client');
  const registry = new Registry();
  const runLabels = withRunLabels ? { playbook: result.playbook.name, env: result.env, command: result.command } : {};
  const runLabelNames = withRunLabels ? [...RUN_LABELS] : [];
  const gauge = (name: string, help: string, labelNames: string[] = []) =>
    new Gauge({ name, help, labelNames: [...runLabelNames, ...labelNames], registers: [registry] });

  gauge('rollout_run_verdict', 'The verdict of the last run: 1 for its verdict label.', ['verdict']).set({ ...runLabels, verdict: result.verdict }, 1);
  gauge('rollout_run_exit_code', 'The exit code of the last run.').set(runLabels, result.exitCode);
  gauge('rollout_run_duration_seconds', 'Wall time of the last run.').set(runLabels, result.durationMs / 1000);
  gauge('rollout_run_last_timestamp_seconds', 'When the last run ended (Unix time).').set(runLabels, Date.parse(result.endedAt) / 1000);
  gauge('rollout_run_dry_run', 'Whether the last run was a dry run (1) or not (0).').set(runLabels, result.dryRun ? 1 : 0);
  gauge('rollout_run_partial', 'Whether the last run was partial (--only) (1) or not (0).').set(runLabels, result.partial ? 1 : 0);

  const counts = gauge('rollout_nodes', 'Nodes of the last run by final status.', ['status']);
  const byStatus = new Map<string, number>();
  for (const node of result.nodes) byStatus.set(node.status, (byStatus.get(node.status) ?? 0) + 1);
  for (const [status, count] of byStatus) counts.set({ ...runLabels, status }, count);

  const status = gauge('rollout_node_status', 'Final status of each node of the last run: 1 for its status label.', [...NODE_LABELS, 'severity', 'status']);
  const duration = gauge('rollout_node_duration_seconds', 'How long each node took in the last run.', [...NODE_LABELS]);
  const attempts = gauge('rollout_node_attempts', 'Attempts (or window samples) of each node in the last run.', [...NODE_LABELS]);
  const observed = gauge('rollout_node_observed', 'The value each node observed in the last run, when it is a finite number.', [...NODE_LABELS]);
  for (const node of result.nodes) {
    const labels = { ...runLabels, node: node.id, kind: node.kind, role: node.role };
    status.set({ ...labels, severity: node.severity, status: node.status }, 1);
    duration.set(labels, node.durationMs / 1000);
    attempts.set(labels, node.attempts);
    if (typeof node.observed === 'number' && Number.isFinite(node.observed)) observed.set(labels, node.observed);
  }
  return registry;
}

/**
 * The Prometheus text exposition of a run. Every metric is labelled with playbook, env and
 * command, unless `runLabels` is false: a Pushgateway takes those from the grouping key.
 */
export async function renderMetricsText(result: RunResult, options: { runLabels?: boolean } = {}): Promise<string> {
  return (await buildRegistry(result, options.runLabels ?? true)).metrics();
}
