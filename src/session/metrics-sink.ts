// Metrics sinks: the node_exporter textfile (`--metrics-file`) and a Pushgateway (`--pushgateway`).
import { rename, rm, writeFile } from 'node:fs/promises';
import type { RunResult } from '../run/types.js';
import { renderMetricsText } from '../report/metrics-text.js';

/**
 * Writes the node_exporter textfile atomically: a temp file in the same directory, then a
 * rename, so the collector never reads half a file. Name it `*.prom`.
 */
export async function writeMetricsFile(result: RunResult, file: string): Promise<void> {
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
  const body = await renderMetricsText(result, { runLabels: false });
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
