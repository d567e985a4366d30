import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseAllowedSigners } from '../../src/evidence/attest/allowed-signers.js';
import { composeAttestation } from '../../src/evidence/attest/attestation.js';
import { parseSigningKey, type SigningKey } from '../../src/evidence/attest/ssh-key.js';
import { readReport, sha256 } from '../../src/evidence/check-file.js';
import { fileStore } from '../../src/evidence/file-store.js';
import { DIGEST_PREFIX } from '../../src/evidence/render.js';
import { appendEvidence } from '../../src/evidence/write.js';
import { readEdges } from '../../src/site/collect.js';
import type { NodeResult, RunResult } from '../../src/run/types.js';
import { writeEvidenceSite } from '../../src/site/write-site.js';
import { rollout } from '../helpers/cli.js';
import { allowedSigner, sshKeygen } from '../attest/keys.js';
import { META, runResult } from '../evidence/run-result.js';

const node = (n: Partial<NodeResult> & { id: string }): NodeResult => ({ baseId: n.id, kind: 'exec', title: n.id, role: 'gate', severity: 'blocker', status: 'pass', durationMs: 5, attempts: 1, message: 'passed', params: {}, ...n });

const samples = (values: number[], limit: number) => values.map((v, i) => ({ at: `2026-11-29T10:0${i}:00.000Z`, observed: v, status: v < limit ? ('pass' as const) : ('fail' as const) }));

/** api: pass, fail (a window over its threshold), pass, a dry run — error-rate is flaky. */
function apiRun(startedAt: string, outcome: 'pass' | 'fail' | 'dry'): RunResult {
  const failing = outcome === 'fail';
  const rate = failing ? [0.01, 0.02, 0.09, 0.12, 0.03] : [0.01, 0.02, 0.01, 0.02, 0.01];
  const nodes = [
    node({ id: 'migrations', kind: 'sql', status: outcome === 'dry' ? 'dry-run' : 'pass', message: outcome === 'dry' ? 'would run' : 'no pending migrations', observed: outcome === 'dry' ? undefined : 0, expected: '== 0', outputs: { pending: 0, schema: 'v42' } }),
    node({ id: 'error-rate', needs: ['migrations'], kind: 'prometheus', status: outcome === 'dry' ? 'dry-run' : failing ? 'fail' : 'pass', message: failing ? 'observed 0.12, expected < 0.05 (2 of 5 samples failed)' : 'passed', observed: outcome === 'dry' ? undefined : Math.max(...rate), expected: '< 0.05', ...(outcome === 'dry' ? {} : { samples: samples(rate, 0.05) }) }),
    node({ id: 'alerts', needs: ['migrations'], kind: 'alertmanager', status: outcome === 'dry' ? 'dry-run' : failing ? 'fired' : 'quiet', message: failing ? 'alert HighLatency is firing' : 'no alerts', reasons: failing ? ['HighLatency{service="api"} firing since 10:02'] : [] }),
  ];
  const verdict = outcome === 'fail' ? 'fail' : 'pass';
  return runResult('api', startedAt, { command: 'check', dryRun: outcome === 'dry', verdict, exitCode: failing ? 1 : 0, nodes });
}

let browser: Browser;
let site: string;
let evidenceDir: string;
const requests: string[] = [];
const consoleErrors: string[] = [];

async function open(path: string, options: { colorScheme?: 'light' | 'dark' } = {}): Promise<Page> {
  const page = await browser.newPage(options);
  page.on('request', (request) => requests.push(request.url()));
  page.on('console', (message) => message.type() === 'error' && consoleErrors.push(message.text()));
  page.on('pageerror', (error) => consoleErrors.push(error.message));
  await page.goto(pathToFileURL(join(site, path)).href);
  return page;
}

const runPage = (prefix: string, playbook = 'api') => {
  const folder = join(site, 'production', playbook);
  return `production/${playbook}/${readdirSync(folder).find((f) => f.startsWith(prefix))!}`;
};

/**
 * fan: a DAG with fan-out (checkout → 3) and fan-in (2 → migrate, 3 → smoke), and a node
 * standing alone: the layout must keep every box apart.
 */
const FAN_EDGES: Array<[string, string]> = [
  ['checkout', 'build-api'], ['checkout', 'build-web'], ['checkout', 'build-worker'],
  ['build-api', 'migrate'], ['build-worker', 'migrate'],
  ['migrate', 'smoke'], ['build-web', 'smoke'], ['build-api', 'smoke'],
  ['smoke', 'announce'],
];
const FAN_NODES = ['checkout', 'build-api', 'build-web', 'build-worker', 'migrate', 'smoke', 'announce', 'lint'];

function fanRun(): RunResult {
  const nodes = FAN_NODES.map((id) => node({ id, needs: FAN_EDGES.filter(([, to]) => to === id).map(([from]) => from), status: id === 'smoke' ? 'fail' : 'pass', message: id === 'smoke' ? 'exit 1' : 'exit 0' }));
  return runResult('fan', '2026-11-29T09:00:00.000Z', { command: 'check', verdict: 'fail', exitCode: 1, nodes });
}

/** An evidence file as written before the JSON report carried `needs`: edges only in its Mermaid block. */
function writeLegacyFile(folder: string, name: string): void {
  const path = join(folder, name);
  const text = readFileSync(path, 'utf8');
  const body = text.slice(0, text.lastIndexOf(DIGEST_PREFIX)).replace(/\n\s*"needs": \[[^\]]*\],/g, '');
  expect(body).not.toContain('"needs"');
  writeFileSync(path, `${body}${DIGEST_PREFIX}${sha256(body)} -->\n`);
}

let trustedKeysFile: string;

beforeAll(async () => {
  evidenceDir = mkdtempSync(join(tmpdir(), 'rollout-site-evidence-'));
  site = mkdtempSync(join(tmpdir(), 'rollout-site-'));
  const store = fileStore(evidenceDir);
  const options = { redact: (t: string) => t, meta: { ...META, edges: [['migrations', 'error-rate'], ['migrations', 'alerts']] as Array<[string, string]> } };
  const runs = [apiRun('2026-11-29T10:00:00.000Z', 'pass'), apiRun('2026-11-29T11:00:00.000Z', 'fail'), apiRun('2026-11-29T12:00:00.000Z', 'pass'), apiRun('2026-11-29T13:00:00.000Z', 'dry')];
  for (const run of runs) expect(appendEvidence(store, run, options).ok).toBe(true);
  const folder = join(evidenceDir, 'production');

  expect(appendEvidence(store, fanRun(), { ...options, meta: { ...META, edges: FAN_EDGES } }).ok).toBe(true);
  // legacy: an api-shaped run whose file predates `needs` in the JSON report.
  expect(appendEvidence(store, { ...apiRun('2026-11-29T08:00:00.000Z', 'fail'), playbook: { name: 'legacy', file: '/work/legacy/rollout.yaml', sha256: 'b'.repeat(64) } }, options).ok).toBe(true);
  writeLegacyFile(folder, readdirSync(folder).find((f) => f.includes('-legacy-'))!);

  // pay: signed by a trusted key, not signed, signed but its envelope edited, signed by a key nobody trusts.
  const trusted = sshKeygen();
  const stranger = sshKeygen();
  trustedKeysFile = join(mkdtempSync(join(tmpdir(), 'rollout-site-keys-')), 'allowed_signers');
  writeFileSync(trustedKeysFile, `${allowedSigner('release@example.com', trusted.pub)}\n`);
  const keyOf = (file: string) => {
    const parsed = parseSigningKey(readFileSync(file, 'utf8'));
    if (!parsed.ok) throw new Error(parsed.message);
    return parsed.value;
  };
  const signed = (result: RunResult, key: SigningKey) => appendEvidence(store, result, { ...options, attest: (composed, location) => composeAttestation(composed, result, location, key) });
  // web: a passing run, then a signed one whose file is edited after it was written (and signed).
  expect(appendEvidence(store, runResult('web', '2026-11-29T10:00:00.000Z'), options).ok).toBe(true);
  expect(signed(runResult('web', '2026-11-29T11:00:00.000Z'), keyOf(trusted.file)).ok).toBe(true);
  const edited = readdirSync(folder).find((f) => f.startsWith('2026-11-29T11-00-00.000Z-web') && f.endsWith('.md'))!;
  writeFileSync(join(folder, edited), readFileSync(join(folder, edited), 'utf8').replace('**Verdict: PASS**', '**Verdict: PASS** (edited)'));
  expect(signed(runResult('pay', '2026-11-29T10:00:00.000Z'), keyOf(trusted.file)).ok).toBe(true);
  expect(appendEvidence(store, runResult('pay', '2026-11-29T11:00:00.000Z'), options).ok).toBe(true);
  expect(signed(runResult('pay', '2026-11-29T12:00:00.000Z'), keyOf(trusted.file)).ok).toBe(true);
  expect(signed(runResult('pay', '2026-11-29T13:00:00.000Z'), keyOf(stranger.file)).ok).toBe(true);
  const envelopeFile = join(folder, readdirSync(folder).find((f) => f.startsWith('2026-11-29T12-00-00.000Z-pay') && f.endsWith('.intoto.jsonl'))!);
  const envelope = JSON.parse(readFileSync(envelopeFile, 'utf8'));
  const statement = JSON.parse(Buffer.from(envelope.payload, 'base64').toString('utf8'));
  statement.predicate.result = 'PASSED (edited)';
  writeFileSync(envelopeFile, `${JSON.stringify({ ...envelope, payload: Buffer.from(JSON.stringify(statement)).toString('base64') })}\n`);

  const written = await writeEvidenceSite(store, site, { trustedKeys: parseAllowedSigners(readFileSync(trustedKeysFile, 'utf8')) });
  expect(written.runs).toBe(12);
  expect(written.attestations).toEqual({ verified: 1, invalid: 3, present: 0, absent: 8 });
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
    // Signed before it was edited: the signature no longer covers what the file says.
    expect(await page.locator('#attestation .badge').getAttribute('data-attestation')).toBe('invalid');
    expect(await page.locator('#attestation').textContent()).toContain('changed after it was signed');
    await page.close();
    const index = await open('index.html');
    expect(await index.locator('tr[data-playbook="web"] td.latest .badge').textContent()).toBe('TAMPERED');
    await index.close();
  });

  it('shows each run\'s attestation: verified only when a trusted key signed the file as it is; edited, untrusted and missing ones say so', async () => {
    const expected: Array<[string, string, RegExp]> = [
      ['2026-11-29T10-00', 'verified', /signed by release@example\.com/],
      ['2026-11-29T11-00', 'absent', /no attestation/],
      ['2026-11-29T12-00', 'invalid', /bad signature/],
      ['2026-11-29T13-00', 'invalid', /not a trusted key/],
    ];
    for (const [prefix, state, message] of expected) {
      const page = await open(runPage(prefix, 'pay'));
      const badge = page.locator('#attestation .badge');
      expect(await badge.getAttribute('data-attestation'), prefix).toBe(state);
      expect(await page.locator('#attestation').textContent()).toMatch(message);
      if (state !== 'verified') expect(await badge.textContent()).not.toContain('verified');
      await page.close();
    }
    const history = await open('production/pay/index.html');
    expect(await history.locator('#verdicts li').evaluateAll((li) => li.map((l) => l.getAttribute('data-attestation')))).toEqual(['verified', 'absent', 'invalid', 'invalid']);
    await history.close();
    const index = await open('index.html');
    expect(await index.locator('tr[data-playbook="pay"] [data-attestation]').getAttribute('data-attestation')).toBe('invalid');
    expect(await index.locator('tr[data-playbook="api"] [data-attestation]').getAttribute('data-attestation')).toBe('absent');
    expect(await index.locator('thead th').allTextContents()).toContain('Latest signature');
    await index.close();
  });

  it('lays out a DAG with fan-in and fan-out: every node drawn, every edge from its box to the next, no two boxes overlapping', async () => {
    const page = await open(runPage('2026-11-29T09-00', 'fan'));
    const boxes = await page.locator('svg.dag g.dag-node').evaluateAll((groups) =>
      groups.map((g) => {
        const r = g.querySelector('rect')!;
        return { id: g.getAttribute('data-node')!, x: Number(r.getAttribute('x')), y: Number(r.getAttribute('y')), w: Number(r.getAttribute('width')), h: Number(r.getAttribute('height')) };
      }),
    );
    expect(boxes.map((b) => b.id).sort()).toEqual([...FAN_NODES].sort());
    for (const [i, a] of boxes.entries()) {
      for (const b of boxes.slice(i + 1)) {
        const apart = a.x + a.w <= b.x || b.x + b.w <= a.x || a.y + a.h <= b.y || b.y + b.h <= a.y;
        expect(apart, `${a.id} and ${b.id} overlap`).toBe(true);
      }
    }
    const edges = await page.locator('svg.dag path.dag-edge').evaluateAll((paths) => paths.map((p) => ({ from: p.getAttribute('data-from')!, to: p.getAttribute('data-to')!, points: [...p.getAttribute('d')!.matchAll(/(-?[\d.]+),(-?[\d.]+)/g)].map((m) => ({ x: Number(m[1]), y: Number(m[2]) })) })));
    expect(edges.map((e) => `${e.from}>${e.to}`).sort()).toEqual(FAN_EDGES.map(([a, b]) => `${a}>${b}`).sort());
    const box = new Map(boxes.map((b) => [b.id, b]));
    const near = (p: { x: number; y: number }, b: { x: number; y: number; w: number; h: number }) => p.x >= b.x - 2 && p.x <= b.x + b.w + 2 && p.y >= b.y - 2 && p.y <= b.y + b.h + 2;
    for (const edge of edges) {
      expect(edge.points.length).toBeGreaterThanOrEqual(2);
      expect(near(edge.points[0]!, box.get(edge.from)!), `${edge.from}>${edge.to} starts at its box`).toBe(true);
      expect(near(edge.points[edge.points.length - 1]!, box.get(edge.to)!), `${edge.from}>${edge.to} ends at its box`).toBe(true);
    }
    // Left to right: a node's box starts after every box it needs ends.
    for (const [from, to] of FAN_EDGES) expect(box.get(to)!.x).toBeGreaterThan(box.get(from)!.x + box.get(from)!.w);
    await page.screenshot({ path: join(site, 'screenshots', 'fan-dag.png') });
    await page.close();
  });

  it('reads the edges from the JSON report, and from the Mermaid block of a file written before the report had them', async () => {
    const folder = join(evidenceDir, 'production');
    const failing = readFileSync(join(folder, readdirSync(folder).find((f) => f.startsWith('2026-11-29T11-00-00.000Z-api'))!), 'utf8');
    const withoutPicture = failing.replace(/\n```mermaid\n[\s\S]*?\n```\n/, '\n');
    expect(withoutPicture).not.toContain('```mermaid');
    const report = readReport(failing)!;
    expect(report.nodes.map((n) => n.needs)).toEqual([[], ['migrations'], ['migrations']]);
    expect(readEdges(withoutPicture, report)).toEqual([['migrations', 'error-rate'], ['migrations', 'alerts']]);
    const page = await open(runPage('2026-11-29T08-00', 'legacy'));
    expect(await page.locator('.chain-state .badge').getAttribute('data-state')).toBe('chained');
    expect(await page.locator('svg.dag path.dag-edge').evaluateAll((p) => p.map((e) => `${e.getAttribute('data-from')}>${e.getAttribute('data-to')}`))).toEqual(['migrations>error-rate', 'migrations>alerts']);
    await page.close();
  });

  it('reads in dark mode: the scheme changes, and text, links and badges keep a contrast of at least 4.5:1', async () => {
    const colours = async (scheme: 'light' | 'dark') => {
      const page = await open(runPage('2026-11-29T11-00'), { colorScheme: scheme });
      const found = await page.evaluate(() => {
        const rgb = (text: string) => (text.match(/[\d.]+/g) ?? []).slice(0, 3).map(Number);
        const luminance = ([r, g, b]: number[]) => {
          const f = (c: number) => ((c /= 255) <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4);
          return 0.2126 * f(r!) + 0.7152 * f(g!) + 0.0722 * f(b!);
        };
        const contrast = (a: string, b: string) => {
          const [hi, lo] = [luminance(rgb(a)), luminance(rgb(b))].sort((x, y) => y - x);
          return (hi! + 0.05) / (lo! + 0.05);
        };
        const body = getComputedStyle(document.body);
        const pairs: Array<[string, number]> = [['body', contrast(body.color, body.backgroundColor)]];
        for (const badge of document.querySelectorAll('.badge')) {
          const style = getComputedStyle(badge);
          pairs.push([`badge ${badge.className}`, contrast(style.color, style.backgroundColor)]);
        }
        const link = document.querySelector('#why a')!;
        pairs.push(['failure link', contrast(getComputedStyle(link).color, getComputedStyle(link.closest('li')!).backgroundColor)]);
        const muted = document.querySelector('.muted');
        if (muted) pairs.push(['muted', contrast(getComputedStyle(muted).color, body.backgroundColor)]);
        return { background: body.backgroundColor, color: body.color, pairs };
      });
      await page.close();
      return found;
    };
    const light = await colours('light');
    const dark = await colours('dark');
    expect(dark.background).not.toBe(light.background);
    expect(dark.color).not.toBe(light.color);
    for (const found of [light, dark]) {
      expect(found.pairs.length).toBeGreaterThan(5);
      for (const [what, ratio] of found.pairs) expect(ratio, `${what} in ${found === light ? 'light' : 'dark'} mode`).toBeGreaterThanOrEqual(4.5);
    }
  });

  it('is keyboard navigable: Tab reaches each failure, then each DAG node, in order, visibly; Enter follows the link', async () => {
    const page = await open(runPage('2026-11-29T11-00'));
    const reached: Array<{ what: string; outline: string; stroke: string }> = [];
    for (let i = 0; i < 12; i++) {
      await page.keyboard.press('Tab');
      reached.push(await page.evaluate(() => {
        const el = document.activeElement!;
        const failure = el.closest('li.failure')?.getAttribute('data-node');
        const node = el.tagName.toLowerCase() === 'a' ? el.querySelector('g.dag-node')?.getAttribute('data-node') : undefined;
        const style = getComputedStyle(el);
        const rect = el.querySelector?.('rect');
        return { what: failure ? `failure:${failure}` : node ? `dag:${node}` : el.tagName.toLowerCase(), outline: `${style.outlineStyle} ${style.outlineWidth}`, stroke: rect ? getComputedStyle(rect).strokeWidth : '' };
      }));
    }
    const order = reached.map((r) => r.what).filter((w) => w.includes(':'));
    expect(order.slice(0, 5)).toEqual(['failure:error-rate', 'failure:alerts', 'dag:migrations', 'dag:error-rate', 'dag:alerts']);
    // Focus shows: an outline on a link, a thick stroke on a DAG box.
    for (const r of reached.filter((x) => x.what.startsWith('failure:'))) expect(r.outline).toBe('solid 3px');
    for (const r of reached.filter((x) => x.what.startsWith('dag:'))) expect(r.stroke).toBe('5px');
    await page.locator('#why li.failure[data-node="alerts"] a').focus();
    await page.keyboard.press('Enter');
    await page.waitForFunction(() => location.hash === '#node-alerts');
    await page.locator('svg.dag g.dag-node[data-node="error-rate"]').evaluate((g) => (g.parentElement as unknown as HTMLElement).focus());
    await page.keyboard.press('Enter');
    await page.waitForFunction(() => location.hash === '#node-error-rate');
    await page.close();
  });

  it('prints: the nav hidden, every detail expanded, the charts and the DAG present, dark text on white; page.pdf makes a PDF', async () => {
    const page = await open(runPage('2026-11-29T11-00'), { colorScheme: 'dark' });
    expect(await page.locator('details pre').first().isVisible()).toBe(false);
    await page.emulateMedia({ media: 'print', colorScheme: 'dark' });
    expect(await page.locator('nav').isVisible()).toBe(false);
    const details = page.locator('details');
    expect(await details.count()).toBeGreaterThan(0);
    for (const pre of await page.locator('details pre').all()) expect(await pre.isVisible()).toBe(true);
    expect(await page.locator('svg.chart[data-node="error-rate"]').isVisible()).toBe(true);
    expect(await page.locator('svg.chart circle.sample').count()).toBe(5);
    expect(await page.locator('svg.dag').isVisible()).toBe(true);
    const ink = await page.evaluate(() => getComputedStyle(document.body).color);
    expect(ink).toBe('rgb(29, 31, 33)');
    const pdf = await page.pdf({ format: 'A4', printBackground: false });
    expect(pdf.subarray(0, 5).toString('latin1')).toBe('%PDF-');
    expect(pdf.length).toBeGreaterThan(10_000);
    writeFileSync(join(site, 'screenshots', 'failing-run.pdf'), pdf);
    await page.close();
  });

  it('loads dagre only where the site is drawn: one dynamic import, nothing else imports it', () => {
    const root = fileURLToPath(new URL('../../src/', import.meta.url));
    const importers = execFileSync('grep', ['-rln', '@dagrejs/dagre', root], { encoding: 'utf8' }).trim().split('\n').map((f) => f.slice(root.length));
    expect(importers).toEqual(['site/dag.ts']);
    const source = readFileSync(join(root, 'site', 'dag.ts'), 'utf8');
    expect(source).toContain("await import('@dagrejs/dagre')");
    expect(source).not.toMatch(/^import (?!type)[^;]*'@dagrejs\/dagre'/m);
    const cli = readFileSync(join(root, 'cli', 'commands', 'evidence.ts'), 'utf8');
    expect(cli).toContain("await import('../../site/write-site.js')");
    expect(cli).not.toMatch(/^import [^;]*site\//m);
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
    expect(run.stdout).toContain('12 runs');
    expect(run.stdout).toContain('1 not verified');
    expect(run.stdout).toContain(join(output, 'index.html'));
    expect(existsSync(join(output, 'production', 'api', 'index.html'))).toBe(true);
    const missing = await rollout(['evidence', 'html', join(evidenceDir, 'nope'), '--output', output]);
    expect(missing.exitCode).toBe(2);
  });

  it('`rollout evidence html --trusted-keys` checks each attestation; without it a signature is present, never verified', async () => {
    const unchecked = mkdtempSync(join(tmpdir(), 'rollout-site-cli-'));
    const plain = await rollout(['evidence', 'html', evidenceDir, '--output', unchecked]);
    expect(plain.exitCode, plain.stderr).toBe(0);
    expect(plain.stdout).toContain('attestations: 4 present, 8 absent');
    const pay = join(unchecked, 'production', 'pay');
    const first = readFileSync(join(pay, readdirSync(pay).find((f) => f.startsWith('2026-11-29T10-00'))!), 'utf8');
    expect(first).toContain('data-attestation="present"');
    expect(first).not.toContain('data-attestation="verified"');
    const checked = mkdtempSync(join(tmpdir(), 'rollout-site-cli-'));
    const keyed = await rollout(['evidence', 'html', evidenceDir, '--output', checked, '--trusted-keys', trustedKeysFile]);
    expect(keyed.exitCode, keyed.stderr).toBe(0);
    expect(keyed.stdout).toContain('attestations: 1 verified, 3 invalid, 8 absent');
    const unusable = await rollout(['evidence', 'html', evidenceDir, '--output', checked, '--trusted-keys', join(checked, 'nope')]);
    expect(unusable.exitCode).toBe(2);
    expect(unusable.stderr).toContain('--trusted-keys');
  });
});
