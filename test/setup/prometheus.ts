import { type PrometheusHarness, startHarness, stopHarness } from '../helpers/prometheus/harness.js';

declare module 'vitest' {
  export interface ProvidedContext {
    prometheus: PrometheusHarness;
  }
}

/** Two Prometheus servers (fixture history, live scrape + rules) and an Alertmanager, once per run. */
export async function setup({ provide }: { provide: (key: 'prometheus', value: PrometheusHarness) => void }): Promise<void> {
  try {
    const harness = await startHarness();
    process.stderr.write(`prometheus harness: history ${harness.historyUrl}, live ${harness.liveUrl}, alertmanager ${harness.alertmanagerUrl}, ready in ${harness.startMs} ms ${JSON.stringify(harness.timingsMs)}\n`);
    provide('prometheus', harness);
  } catch (error) {
    await stopHarness();
    throw error;
  }
}

export async function teardown(): Promise<void> {
  await stopHarness();
}
