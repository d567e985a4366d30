// Run results as Prometheus metrics: a node_exporter textfile (`--metrics-file`) or a push to
// a Pushgateway (`--pushgateway`), so dashboards and alerts can follow gates over time.
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

/** The Prometheus text exposition of a run, every metric labelled with playbook, env and command. */
export async function renderMetricsText(result: RunResult): Promise<string> {
  return (await buildRegistry(result, true)).metrics();
}

/**
 * Writes the node_exporter textfile atomically: a temp file in the same directory, then a
 * rename, so the collector never reads half a file. Name it `*.prom`.
 */
export async function writeMetricsFile(result: RunResult, file: string): Promise<void> {
  const { writeFile, rename, rm } = await import('node:fs/promises');
  const temp = `${file}.${process.pid}.tmp`;
  try {
    await writeFile(temp, await renderMetricsText(result));
    await rename(temp, file);
  } catch (error) {
    await rm(temp, { force: true });
    throw new Error(`cannot write metrics file ${file}: ${(error as Error).message}`);
  }
}

/**
 * PUTs the run's metrics to a Pushgateway under job `rollout`, grouped by playbook, env and
 * command (plus `labels`): each push replaces the previous run's metrics of that group.
 * Throws with a message naming the gateway (password masked) when the push fails.
 */
export async function pushMetrics(result: RunResult, url: string, labels: Record<string, string> = {}, timeoutMs = 10_000): Promise<void> {
  const base = new URL(url);
  const shown = maskPassword(base);
  const grouping: Record<string, string> = { playbook: result.playbook.name, env: result.env, command: result.command, ...labels };
  const path = `/metrics/job/rollout${Object.entries(grouping).map(([name, value]) => groupingSegment(name, value)).join('')}`;
  const target = new URL(base.href.replace(/\/$/, '') + path);
  const body = await (await buildRegistry(result, false)).metrics();
  const headers: Record<string, string> = { 'Content-Type': 'text/plain; version=0.0.4' };
  if (base.username) headers.Authorization = `Basic ${Buffer.from(`${decodeURIComponent(base.username)}:${decodeURIComponent(base.password)}`).toString('base64')}`;
  target.username = '';
  target.password = '';
  let response: Response;
  try {
    response = await fetch(target, { method: 'PUT', headers, body, signal: AbortSignal.timeout(timeoutMs) });
  } catch (error) {
    const cause = (error as Error & { cause?: { code?: string } }).cause?.code ?? (error as Error).message;
    throw new Error(`cannot push metrics to ${shown}: ${cause}`);
  }
  if (!response.ok) throw new Error(`the Pushgateway at ${shown} refused the metrics: HTTP ${response.status} ${(await response.text()).trim().slice(0, 300)}`);
}

/** `/name/value`, or `/name@base64/…` when the value has a `/` or is empty (Pushgateway's rule). */
function groupingSegment(name: string, value: string): string {
  if (value === '' || value.includes('/')) return `/${name}@base64/${Buffer.from(value).toString('base64url') || '='}`;
  return `/${name}/${encodeURIComponent(value)}`;
}

function maskPassword(url: URL): string {
  const copy = new URL(url.href);
  if (copy.password) copy.password = '***';
  return copy.href.replace(/\/$/, '');
}
