import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runProcess } from '../../../src/sdk/index.js';
// @ts-expect-error — a plain .mjs script (runnable without a build); its shape is below.
import { END, SCENARIOS, generateOpenMetrics } from '../../../fixtures/prometheus/generate.mjs';
import { type Exporter, startExporter } from './exporter.js';
import { type RunningServer, startAlertmanager, startPrometheus, stopServer } from './servers.js';

const FIXTURES = fileURLToPath(new URL('../../../fixtures/prometheus/', import.meta.url));

/** What the tests receive through `inject('prometheus')`. */
export interface PrometheusHarness {
  /** Prometheus over the backfilled fixture history (6 h ending at `end`). */
  historyUrl: string;
  /** Prometheus scraping the exporter every second, with live alerting rules. */
  liveUrl: string;
  alertmanagerUrl: string;
  /** `POST {exporterUrl}/control?inflight=N` changes a live gauge. */
  exporterUrl: string;
  /** ISO instants of the fixture scenarios (fixtures/prometheus/generate.mjs). */
  end: string;
  scenarios: Record<string, string>;
  startMs: number;
  /** Where the start-up time went, for the report. */
  timingsMs: Record<string, number>;
}

interface Running {
  dir: string;
  servers: RunningServer[];
  exporter?: Exporter;
}

let running: Running | undefined;

/** Backfills the fixture history with promtool, then starts both Prometheus servers. */
export async function startHarness(): Promise<PrometheusHarness> {
  const startedAt = performance.now();
  const dir = mkdtempSync(join(tmpdir(), 'rollout-prometheus-'));
  running = { dir, servers: [] };
  const openMetrics = join(dir, 'history.om');
  writeFileSync(openMetrics, generateOpenMetrics());
  const historyData = join(dir, 'history-data');
  const backfill = await runProcess(['promtool', 'tsdb', 'create-blocks-from', 'openmetrics', openMetrics, historyData]);
  if (backfill.exitCode !== 0) throw new Error(`promtool backfill failed: ${backfill.stderr || backfill.startError}`);

  const timingsMs: Record<string, number> = { backfill: Math.round(performance.now() - startedAt) };
  const historyConfig = join(dir, 'history.yml');
  writeFileSync(historyConfig, 'global: {}\n');
  const exporter = await startExporter();
  running.exporter = exporter;
  const [history, alertmanager] = await Promise.all([
    startPrometheus({ dir, configFile: historyConfig, dataDir: historyData, name: 'prometheus-history' }),
    startAlertmanager({ dir, configFile: join(FIXTURES, 'alertmanager.yml') }),
  ]);
  running.servers.push(history, alertmanager);

  const liveConfig = join(dir, 'live.yml');
  writeFileSync(
    liveConfig,
    [
      'global: { scrape_interval: 1s, evaluation_interval: 1s }',
      `rule_files: [${JSON.stringify(join(FIXTURES, 'rules.yml'))}]`,
      `alerting: { alertmanagers: [ { static_configs: [ { targets: ["127.0.0.1:${alertmanager.port}"] } ] } ] }`,
      `scrape_configs: [ { job_name: exporter, static_configs: [ { targets: ["127.0.0.1:${exporter.port}"] } ] } ]`,
      '',
    ].join('\n'),
  );
  const live = await startPrometheus({ dir, configFile: liveConfig, dataDir: join(dir, 'live-data'), name: 'prometheus-live' });
  running.servers.push(live);

  timingsMs.servers = Math.round(performance.now() - startedAt) - timingsMs.backfill!;
  // Not waiting for the first scrape here: Prometheus applies new targets after ~5 s, which
  // overlaps with other test files; tests that need live alerts call waitForLiveAlerts().
  await silenceNoisyAlert(alertmanager.url);

  return {
    historyUrl: history.url,
    liveUrl: live.url,
    alertmanagerUrl: alertmanager.url,
    exporterUrl: exporter.url,
    end: (END as Date).toISOString(),
    scenarios: Object.fromEntries(Object.entries(SCENARIOS as Record<string, Date>).map(([k, v]) => [k, v.toISOString()])),
    startMs: Math.round(performance.now() - startedAt),
    timingsMs,
  };
}

/** The harness's informational alert is silenced, so `includeSilenced` has something to show. */
async function silenceNoisyAlert(alertmanagerUrl: string): Promise<void> {
  const now = Date.now();
  const response = await fetch(`${alertmanagerUrl}/api/v2/silences`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({
      matchers: [{ name: 'alertname', value: 'CheckoutCanaryNoisy', isRegex: false, isEqual: true }],
      startsAt: new Date(now - 60_000).toISOString(),
      endsAt: new Date(now + 24 * 3600_000).toISOString(),
      createdBy: 'rollout tests',
      comment: 'noisy by design',
    }),
  });
  if (!response.ok) throw new Error(`cannot create the Alertmanager silence: HTTP ${response.status} ${await response.text()}`);
}

export async function stopHarness(): Promise<void> {
  if (!running) return;
  const { dir, servers, exporter } = running;
  running = undefined;
  await Promise.all(servers.map((server) => stopServer(server)));
  await exporter?.close();
  rmSync(dir, { recursive: true, force: true });
}
