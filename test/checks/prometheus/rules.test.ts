import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, test } from 'vitest';
import rulesCheck from '../../../checks/prometheus/rules.js';
import receiversCheck from '../../../checks/alertmanager/receivers.js';
import type { Observation } from '../../../src/sdk/index.js';
import { prometheusContext, runCheck } from '../../helpers/prometheus/context.js';
import { findFreePort, startPrometheus, stopServer, type RunningServer } from '../../helpers/prometheus/servers.js';

// A real Prometheus of this test's own, evaluating every second: two healthy alerting rules
// (critical, warning) and one whose evaluation fails in Prometheus itself (two series collapse
// into one label set once the rule's labels apply).
const RULES = `groups:
  - name: db
    interval: 1s
    rules:
      - alert: PostgresDown
        expr: vector(0) > 1
        labels: { severity: critical, team: db }
      - alert: ReplicationLagHigh
        expr: vector(0) > 1
        labels: { severity: warning, team: db }
      - alert: BrokenRule
        expr: label_replace(vector(1), "a", "1", "", "") or label_replace(vector(2), "a", "2", "", "")
        labels: { severity: warning, team: broken, a: same }
`;

const harness = inject('prometheus');
let dir: string;
let prometheus: RunningServer;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'rollout-rules-'));
  await writeFile(join(dir, 'rules.yml'), RULES);
  await writeFile(join(dir, 'prometheus.yml'), `global: { evaluation_interval: 1s }\nrule_files: [${JSON.stringify(join(dir, 'rules.yml'))}]\n`);
  prometheus = await startPrometheus({ dir, configFile: join(dir, 'prometheus.yml'), dataDir: join(dir, 'data'), name: 'rules' });
  // Wait for the first evaluation, so health is known.
  for (let i = 0; i < 100; i++) {
    const body = (await (await fetch(`${prometheus.url}/api/v1/rules`)).json()) as { data: { groups: Array<{ rules: Array<{ health: string }> }> } };
    if (body.data.groups[0]?.rules.every((rule) => rule.health !== 'unknown')) break;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}, 30_000);

afterAll(async () => {
  await stopServer(prometheus);
  await rm(dir, { recursive: true, force: true });
});

async function rules(params: Record<string, unknown>, observe?: string, settings: Record<string, unknown> = { url: prometheus.url }) {
  return runCheck(rulesCheck, params, prometheusContext(settings, { observe }));
}

describe('prometheus.rules', () => {
  test('every required severity and alert name has a rule: missing 0 (the default expectation)', async () => {
    const result = (await rules({ severities: ['critical', 'warning'], alerts: ['PostgresDown'] })) as Observation;
    expect(result).toMatchObject({ observed: 0, outputs: { missing: [], count: 3 } });
    expect(typeof rulesCheck.defaultExpect === 'function' && rulesCheck.defaultExpect(undefined)).toBe('== 0');
  });

  test('a severity and an alert without a rule are counted and named', async () => {
    const result = (await rules({ severities: ['critical', 'warning', 'info'], alerts: ['DiskFull'] })) as Observation;
    expect(result).toMatchObject({ observed: 2, outputs: { missing: ['severity info', 'alert DiskFull'] } });
    expect(result.details?.notes).toContain('no alerting rule for: severity info, alert DiskFull');
  });

  test('a rule whose evaluation fails in Prometheus is unhealthy, with its error; matchers narrow the rules', async () => {
    const result = (await rules({}, 'unhealthy')) as Observation;
    expect(result.observed).toBe(1);
    expect(result.details?.notes?.join('\n')).toMatch(/BrokenRule \(group db\) is err: .*same labelset/);
    expect(await rules({ matchers: ['team="db"'] }, 'unhealthy')).toMatchObject({ observed: 0 });
    expect(await rules({ matchers: ['team="db"'] }, 'count')).toMatchObject({ observed: 2 });
  });

  test('evaluationAge is seconds since the stalest evaluation (recent here), none matching is no data', async () => {
    const result = (await rules({}, 'evaluationAge')) as Observation;
    expect(result.unit).toBe('seconds');
    expect(result.observed as number).toBeLessThan(10);
    expect(await rules({ matchers: ['team="nobody"'] }, 'evaluationAge')).toMatchObject({ observed: null });
  });

  test('errors: Prometheus unreachable, --at, and missing with nothing required', async () => {
    const port = await findFreePort();
    expect(await rules({ severities: ['critical'] }, undefined, { url: `http://127.0.0.1:${port}` })).toHaveProperty('error');
    expect(await runCheck(rulesCheck, { severities: ['critical'] }, prometheusContext({ url: prometheus.url }, { at: new Date() }))).toHaveProperty('error');
    expect(await rules({})).toMatchObject({ error: expect.stringContaining('vacuously') });
  });
});

describe('alertmanager.receivers', () => {
  const receivers = (names: string[], alertmanagerUrl = harness.alertmanagerUrl) =>
    runCheck(receiversCheck, { receivers: names }, prometheusContext({ url: harness.liveUrl, alertmanagerUrl }));

  test('the configured receiver is present (missing 0), an unknown one is missing', async () => {
    expect(await receivers(['blackhole'])).toMatchObject({ observed: 0, outputs: { configured: ['blackhole'] } });
    expect(await receivers(['blackhole', 'pagerduty-critical'])).toMatchObject({ observed: 1, outputs: { missing: ['pagerduty-critical'] } });
  });

  test('an unreachable Alertmanager is an error, never "all present"', async () => {
    const port = await findFreePort();
    expect(await receivers(['blackhole'], `http://127.0.0.1:${port}`)).toHaveProperty('error');
  });
});
