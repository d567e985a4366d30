import { existsSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fileStore } from '../../src/evidence/file-store.js';
import { appendEvidence } from '../../src/evidence/write.js';
import type { NodeResult, RunResult } from '../../src/run/types.js';
import { writeEvidenceSite } from '../../src/site/write-site.js';
import { rollout } from '../helpers/cli.js';
import { META, runResult } from '../evidence/run-result.js';

const node = (n: Partial<NodeResult> & { id: string }): NodeResult => ({ baseId: n.id, kind: 'exec', title: n.id, role: 'gate', severity: 'blocker', status: 'pass', durationMs: 5, attempts: 1, message: 'passed', params: {}, ...n });

const samples = (values: number[], limit: number) => values.map((v, i) => ({ at: `2026-11-29T10:0${i}:00.000Z`, observed: v, status: v < limit ? ('pass' as const) : ('fail' as const) }));

/** api: pass, fail (a window over its threshold), pass, a dry run — error-rate is flaky. */
function apiRun(startedAt: string, outcome: 'pass' | 'fail' | 'dry'): RunResult {
  const failing = outcome === 'fail';
  const rate = failing ? [0.01, 0.02, 0.09, 0.12, 0.03] : [0.01, 0.02, 0.01, 0.02, 0.01];
  const nodes = [
    node({ id: 'migrations', kind: 'sql', status: outcome === 'dry' ? 'dry-run' : 'pass', message: outcome === 'dry' ? 'would run' : 'no pending migrations', observed: outcome === 'dry' ? undefined : 0, expected: '== 0' }),
    node({ id: 'error-rate', kind: 'prometheus', status: outcome === 'dry' ? 'dry-run' : failing ? 'fail' : 'pass', message: failing ? 'observed 0.12, expected < 0.05 (2 of 5 samples failed)' : 'passed', observed: outcome === 'dry' ? undefined : Math.max(...rate), expected: '< 0.05', ...(outcome === 'dry' ? {} : { samples: samples(rate, 0.05) }) }),
    node({ id: 'alerts', kind: 'alertmanager', status: outcome === 'dry' ? 'dry-run' : failing ? 'fired' : 'quiet', message: failing ? 'alert HighLatency is firing' : 'no alerts', reasons: failing ? ['HighLatency{service="api"} firing since 10:02'] : [] }),
  ];
  const verdict = outcome === 'fail' ? 'fail' : 'pass';
  return runResult('api', startedAt, { command: 'check', dryRun: outcome === 'dry', verdict, exitCode: failing ? 1 : 0, nodes });
}

let browser: Browser;
let site: string;
let evidenceDir: string;
const requests: string[] = [];
const consoleErrors: string[] = [];

async function open(path: string): Promise<Page> {
  const page = await browser.newPage();
  page.on('request', (request) => requests.push(request.url()));
  page.on('console', (message) => message.type() === 'error' && consoleErrors.push(message.text()));
  page.on('pageerror', (error) => consoleErrors.push(error.message));
  await page.goto(pathToFileURL(join(site, path)).href);
  return page;
}

const runPage = (prefix: string) => {
  const folder = join(site, 'production', 'api');
  return `production/api/${readdirSync(folder).find((f) => f.startsWith(prefix))!}`;
};

beforeAll(async () => {
  evidenceDir = mkdtempSync(join(tmpdir(), 'rollout-site-evidence-'));
  site = mkdtempSync(join(tmpdir(), 'rollout-site-'));
  const store = fileStore(evidenceDir);
  const options = { redact: (t: string) => t, meta: { ...META, edges: [['migrations', 'error-rate'], ['migrations', 'alerts']] as Array<[string, string]> } };
  const runs = [apiRun('2026-11-29T10:00:00.000Z', 'pass'), apiRun('2026-11-29T11:00:00.000Z', 'fail'), apiRun('2026-11-29T12:00:00.000Z', 'pass'), apiRun('2026-11-29T13:00:00.000Z', 'dry')];
  for (const run of runs) expect(appendEvidence(store, run, options).ok).toBe(true);
  // web: a passing run, then one whose file is edited after it was written.
  expect(appendEvidence(store, runResult('web', '2026-11-29T10:00:00.000Z'), options).ok).toBe(true);
  expect(appendEvidence(store, runResult('web', '2026-11-29T11:00:00.000Z'), options).ok).toBe(true);
  const folder = join(evidenceDir, 'production');
  const edited = readdirSync(folder).find((f) => f.startsWith('2026-11-29T11-00-00.000Z-web'))!;
  writeFileSync(join(folder, edited), readFileSync(join(folder, edited), 'utf8').replace('**Verdict: PASS**', '**Verdict: PASS** (edited)'));

  const written = writeEvidenceSite(store, site);
  expect(written.runs).toBe(6);
  browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    // launch() gives every browser a fresh, temporary profile of its own (--user-data-dir is refused here).
  });
}, 60_000);

afterAll(async () => {
  await browser?.close();
});

describe('the evidence site in a headless browser', () => {
  it('shows a failing run: failures first with observed vs expected, the DAG, the window against its threshold', async () => {
    const page = await open(runPage('2026-11-29T11-00'));
    expect(await page.locator('#verdict').getAttribute('data-verdict')).toBe('fail');
    const failures = page.locator('#why li.failure');
    expect(await failures.evaluateAll((items) => items.map((i) => i.getAttribute('data-node')))).toEqual(['error-rate', 'alerts']);
    expect(await failures.first().locator('.observed').textContent()).toBe('0.12');
    expect(await failures.first().locator('.expected').textContent()).toBe('< 0.05');
    // A verdict kind observes no value: the reason stands in its place.
    expect(await failures.nth(1).locator('.observed').textContent()).toContain('HighLatency');
    // The sections come in this order: the failures before the DAG and the node table.
    const order = await page.locator('section').evaluateAll((s) => s.map((e) => e.id));
    expect(order.indexOf('why')).toBeLessThan(order.indexOf('dag'));
    expect(await page.locator('tr.node-row').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-status')))).toEqual(['fail', 'fired', 'pass']);
    // Every node drawn in the DAG, with its edges.
    expect(await page.locator('svg.dag g.dag-node').evaluateAll((g) => g.map((n) => n.getAttribute('data-node')).sort())).toEqual(['alerts', 'error-rate', 'migrations']);
    expect(await page.locator('svg.dag path.dag-edge').count()).toBe(2);
    const chart = page.locator('svg.chart[data-node="error-rate"]');
    expect(await chart.locator('circle.sample').count()).toBe(5);
    expect(await chart.locator('circle.sample.fail').count()).toBe(2);
    expect(await chart.locator('line.threshold').getAttribute('data-value')).toBe('0.05');
    // The threshold line sits between the passing and the failing points.
    const thresholdY = Number(await chart.locator('line.threshold').getAttribute('y1'));
    const failY = await chart.locator('circle.sample.fail').evaluateAll((c) => c.map((e) => Number(e.getAttribute('cy'))));
    for (const y of failY) expect(y).toBeLessThan(thresholdY);
    expect(await page.locator('.chain-state .badge').getAttribute('data-state')).toBe('chained');
    const shots = join(site, 'screenshots');
    await page.screenshot({ path: join(shots, 'failing-run.png'), fullPage: true });
    if (process.env.ROLLOUT_SCREENSHOT) await page.screenshot({ path: process.env.ROLLOUT_SCREENSHOT, fullPage: true });
    expect(existsSync(join(shots, 'failing-run.png'))).toBe(true);
    await page.close();
  });

  it('shows a passing run and a dry run with nothing failed', async () => {
    for (const [prefix, label] of [['2026-11-29T10-00', 'pass'], ['2026-11-29T13-00', 'dry']] as const) {
      const page = await open(runPage(prefix));
      expect(await page.locator('#verdict').getAttribute('data-verdict')).toBe('pass');
      expect(await page.locator('#why li.failure').count()).toBe(0);
      expect(await page.locator('svg.dag g.dag-node').count()).toBe(3);
      expect(await page.locator('svg.chart').count()).toBe(label === 'pass' ? 1 : 0);
      if (label === 'dry') expect(await page.locator('#why').textContent()).toContain('dry run');
      await page.close();
    }
  });

  it('shows the history of several runs as a strip of verdicts, the flaky gate marked', async () => {
    const page = await open('production/api/index.html');
    expect(await page.locator('#verdicts li').evaluateAll((li) => li.map((l) => l.getAttribute('data-verdict')))).toEqual(['pass', 'fail', 'pass', 'pass']);
    expect(await page.locator('tr.node-history[data-flaky="true"]').evaluateAll((r) => r.map((e) => e.getAttribute('data-node')).sort())).toEqual(['alerts', 'error-rate']);
    expect(await page.locator('tr.node-history[data-node="error-rate"] li').evaluateAll((li) => li.map((l) => l.getAttribute('data-status')))).toEqual(['pass', 'fail', 'pass', 'dry-run']);
    // Each strip entry opens its run.
    await page.locator('#verdicts li a').nth(1).click();
    expect(await page.locator('#verdict').getAttribute('data-verdict')).toBe('fail');
    await page.close();
  });

  it('shows a file changed after it was written as tampered, on its run page and in the history', async () => {
    const page = await open('production/web/index.html');
    expect(await page.locator('#verdicts li').evaluateAll((li) => li.map((l) => `${l.getAttribute('data-verdict')}/${l.getAttribute('data-state')}`))).toEqual(['pass/chained', 'tampered/tampered']);
    await page.locator('#verdicts li a').nth(1).click();
    expect(await page.locator('.chain-state .badge').getAttribute('data-state')).toBe('tampered');
    expect(await page.locator('.chain-state').textContent()).toContain('digest mismatch');
    await page.close();
    const index = await open('index.html');
    expect(await index.locator('tr[data-playbook="web"] .badge').textContent()).toBe('TAMPERED');
    await index.close();
  });

  it('loaded every page with no network request beyond file:// and no console error', () => {
    expect(requests.length).toBeGreaterThan(0);
    expect(requests.filter((url) => !url.startsWith('file://'))).toEqual([]);
    expect(consoleErrors).toEqual([]);
  });

  it('`rollout evidence html` writes the site from a folder and says where', async () => {
    const output = mkdtempSync(join(tmpdir(), 'rollout-site-cli-'));
    const run = await rollout(['evidence', 'html', evidenceDir, '--output', output]);
    expect(run.exitCode).toBe(0);
    expect(run.stdout).toContain('6 runs');
    expect(run.stdout).toContain('1 not verified');
    expect(run.stdout).toContain(join(output, 'index.html'));
    expect(existsSync(join(output, 'production', 'api', 'index.html'))).toBe(true);
    const missing = await rollout(['evidence', 'html', join(evidenceDir, 'nope'), '--output', output]);
    expect(missing.exitCode).toBe(2);
  });
});
