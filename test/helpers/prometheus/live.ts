import type { PrometheusHarness } from './harness.js';

/** Alerting rules evaluate only live: wait until the first evaluations reached both APIs. */
export async function waitForLiveAlerts(harness: PrometheusHarness, timeoutMs = 30_000): Promise<void> {
  await waitFor(`${harness.liveUrl}/api/v1/alerts`, (body) => body.data.alerts.filter((a: { state: string }) => a.state === 'firing').length >= 2, timeoutMs);
  await waitFor(`${harness.alertmanagerUrl}/api/v2/alerts`, (body) => body.length >= 2, timeoutMs);
}

/** Polls a live query until its single value equals `value` (the exporter was scraped). */
export async function waitForLiveValue(harness: PrometheusHarness, query: string, value: number, timeoutMs = 30_000): Promise<void> {
  await waitFor(
    `${harness.liveUrl}/api/v1/query?query=${encodeURIComponent(query)}`,
    (body) => body.data.result.length === 1 && Number(body.data.result[0].value[1]) === value,
    timeoutMs,
  );
}

async function waitFor(url: string, isReady: (body: any) => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  while (Date.now() < deadline) {
    const response = await fetch(url);
    last = await response.text();
    if (response.ok && isReady(JSON.parse(last))) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`not ready at ${url} after ${timeoutMs} ms: ${last.slice(0, 500)}`);
}
