import { readFileSync } from 'node:fs';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { parse } from 'yaml';
import { rollout, statuses } from '../helpers/cli.js';
import compare from '../../checks/prometheus/compare.js';
import { prometheusContext, runCheck } from '../helpers/prometheus/context.js';

// The five seed playbooks against scripts/fixture-env.mjs (test/setup/seeds.ts): `demo`
// passes, `demo-broken` fails on exactly the nodes guarding what each seed fears, and a
// rollback dry run executes nothing that mutates.
const ROOT = fileURLToPath(new URL('../../', import.meta.url));

interface Seed {
  file: string;
  approvals: string;
  /** Nodes that fail in demo-broken — and only these (besides brokenWarns). */
  brokenFails: string[];
  /** Warning-severity nodes that fail in demo-broken (reported as warn). */
  brokenWarns?: string[];
  /** What the evidence of the broken run must say (the reasons, in the seed's words). */
  brokenReasons: RegExp[];
  /** Gates that would fail had the rollback dry run changed their system (e.g. undone a Deployment). */
  unchangedAfterRollback?: string[];
  /** Rollback nodes that read a promote's captured value: without promote evidence, a dry run names them (error, exit 3). */
  readsBack?: string[];
}

const SEEDS: Seed[] = [
  {
    file: 'playbooks/trackshift.yaml',
    approvals: 'fixtures/seeds/approvals/trackshift.yaml',
    brokenFails: ['images-hardened', 'postgres-backup', 'chunk-latency', 'job-failure-rate', 'connector-replication'],
    brokenReasons: [/trackshift\/gateway:latest — uses :latest/, /\{connector="sftp"\}/, /3d old/],
    unchangedAfterRollback: ['images-hardened'],
  },
  {
    file: 'playbooks/distributed-postgres.yaml',
    approvals: 'fixtures/seeds/approvals/dpg-cluster.yaml',
    brokenFails: [
      'replication-lag', 'pre-rollout-snapshot', 'error-rate', 'p95-latency', 'no-unplanned-failovers', 'no-critical-alerts',
      // The systems the newer kinds read (issue 20): TLS, DNS, firewall, PgBouncer, alert rules and receivers, Patroni, etcd.
      'tls-certificate', 'tls-not-self-signed', 'dns-a-record', 'dns-cname', 'firewall-search', 'firewall-locked',
      'connection-pooling', 'pool-sizing', 'alert-rules-severities', 'alert-receivers', 'patroni-healthy', 'patroni-lag', 'etcd-healthy', 'etcd-members',
    ],
    brokenReasons: [
      /replay is PAUSED/, /production-pre-rollout\.dump is 3d old, more than maxAge 2d/, /did not hold < 0\.001/,
      /pg-3 = "stopped, not streaming; timeline 6, leader on 7; pending restart/, /observed "session", expected == transaction/,
      /no endpoint answered/, /not configured: slack-warnings, pagerduty-critical|not configured: pagerduty-critical, slack-warnings/,
    ],
    readsBack: ['records-present'],
  },
  {
    file: 'playbooks/nova-rms.yaml',
    approvals: 'fixtures/seeds/approvals/nova-rms.yaml',
    brokenFails: ['billing-drill-fresh', 'logical-dump-fresh', 'api-image-as-built', 'alertmanager-quiet'],
    brokenReasons: [/gcr\.io\/rms-nova\/nova-api:latest — uses :latest/, /3d old, more than maxAge 1d/, /HighErrorRate/],
    unchangedAfterRollback: ['api-image-as-built', 'worker-image-as-built'],
  },
  {
    file: 'playbooks/fastapi-service.yaml',
    approvals: 'fixtures/seeds/approvals/fastapi-service.yaml',
    brokenFails: ['images-immutable', 'surge-only', 'resiliency', 'availability-burn-fast', 'availability-burn-slow', 'availability-error-budget', 'p99-latency', 'tls-days-left'],
    brokenReasons: [/registry\.example\.com\/payments\/api:latest — uses :latest/, /no readinessProbe/],
    unchangedAfterRollback: ['images-immutable'],
    readsBack: ['undo-api'],
  },
  {
    file: 'playbooks/summit.yaml',
    approvals: 'fixtures/seeds/approvals/summit.yaml',
    brokenFails: ['postgres-backup', 'neo4j-backup', 'prov-ledger-healthy', 'no-p0-alerts', 'redis-protected-mode', 'redis-eviction-policy', 'tls-days-left', 'tls-verified'],
    brokenReasons: [/exceeded its progress deadline/, /neo4j\/graph\.backup is 3d old/, /IngestFailures/, /observed "no", expected == yes/],
    unchangedAfterRollback: ['prov-ledger-healthy', 'report-studio-healthy'],
  },
];

function env(): Record<string, string> {
  return inject('seeds').env;
}

const evidenceDirs: string[] = [];
afterAll(() => {
  for (const dir of evidenceDirs) rmSync(dir, { recursive: true, force: true });
});

async function run(args: string[]) {
  const evidenceDir = mkdtempSync(join(tmpdir(), 'rollout-seeds-evidence-'));
  evidenceDirs.push(evidenceDir);
  const result = await rollout([...args, '--reporter', 'json', '--evidence-dir', evidenceDir], { cwd: ROOT, env: env() });
  if (!result.json) throw new Error(`no JSON report (exit ${result.exitCode}):\n${result.stdout}\n${result.stderr}`);
  return { ...result, report: result.json as { verdict: string; exitCode: number; evidence: string; nodes: Array<{ id: string; kind: string; status: string; message?: string }> } };
}

async function primarySql(text: string): Promise<pg.QueryResult> {
  const client = new pg.Client({ connectionString: env().DATABASE_URL, ssl: { rejectUnauthorized: false } });
  await client.connect();
  try {
    return await client.query(text);
  } finally {
    await client.end();
  }
}

// Playbooks run side by side: checks never run steps, so the journal only moves if a dry run breaks its word.
describe.concurrent.each(SEEDS)('$file', (seed) => {
  it('validates for every environment and plans every command', async () => {
    const runs = await Promise.all([
      ...['demo', 'demo-broken', 'demo-rollback'].map((e) => rollout(['validate', '-p', seed.file, '--env', e], { cwd: ROOT, env: env() })),
      rollout(['validate', '-p', seed.file], { cwd: ROOT }),
      ...['check', 'promote', 'rollback'].map((command) =>
        rollout(['plan', '-p', seed.file, '--env', 'demo', '--for', command, '--format', 'json'], { cwd: ROOT, env: env() })),
    ]);
    for (const r of runs) expect(r.exitCode, r.stdout + r.stderr).toBe(0);
    for (const plan of runs.slice(4)) expect(JSON.parse(plan.stdout)).toBeTruthy();
  });

  it('check --env demo passes every gate it plans', async () => {
    const { exitCode, report } = await run(['check', '-p', seed.file, '--env', 'demo', '--approvals', seed.approvals]);
    const notPassed = report.nodes.filter((n) => n.status !== 'pass' && n.status !== 'skipped');
    expect(notPassed.map((n) => `${n.id}: ${n.status} ${n.message ?? ''}`)).toEqual([]);
    expect(report.nodes.filter((n) => n.status === 'pass').length).toBeGreaterThan(5);
    expect(exitCode).toBe(0);
  });

  it('check --env demo-broken fails on the nodes guarding what the seed fears, and says why', async () => {
    const { exitCode, report } = await run(['check', '-p', seed.file, '--env', 'demo-broken', '--approvals', seed.approvals]);
    const failed = Object.entries(statuses(report)).filter(([, s]) => s !== 'pass' && s !== 'skipped').map(([id, s]) => `${id}: ${s}`);
    const expected = [...seed.brokenFails.map((id) => `${id}: fail`), ...(seed.brokenWarns ?? []).map((id) => `${id}: warn`)];
    expect(failed.sort()).toEqual(expected.sort());
    expect(exitCode).toBe(1);
    const evidence = readFileSync(report.evidence, 'utf8');
    for (const reason of seed.brokenReasons) expect(evidence).toMatch(reason);
    // The Redis and PgBouncer passwords the nodes authenticate with never reach the evidence.
    for (const secret of [env().REDIS_PASSWORD!, env().PGBOUNCER_PASSWORD!]) expect(evidence).not.toContain(secret);
  });

  it('rollback --env demo --dry-run executes no mutating node', async () => {
    const journal = env().SEEDS_JOURNAL!;
    const before = readFileSync(journal, 'utf8');
    const { exitCode, report } = await run(['rollback', '-p', seed.file, '--env', 'demo', '--dry-run']);
    // No promote ran in this evidence dir: what the rollback reads back from one is named, not guessed.
    const unresolved = report.nodes.filter((n) => n.status === 'error');
    expect(unresolved.map((n) => n.id)).toEqual(seed.readsBack ?? []);
    for (const node of unresolved) expect(node.message).toMatch(/no promote evidence of this environment records it passing/);
    expect(exitCode, JSON.stringify(report.nodes, null, 1)).toBe(seed.readsBack ? 3 : 0);
    expect(report.nodes.filter((n) => n.status === 'dry-run').length).toBeGreaterThan(0);
    // The stand-ins record every change they are asked for: none was.
    expect(readFileSync(journal, 'utf8')).toBe(before);
    // The restore script would have created its target database; the primary is still writable.
    expect((await primarySql("SELECT datname FROM pg_database WHERE datname LIKE '%restored%'")).rows).toEqual([]);
    expect((await primarySql('SHOW default_transaction_read_only')).rows[0].default_transaction_read_only).toBe('off');
    if (seed.unchangedAfterRollback) {
      const after = await run(['check', '-p', seed.file, '--env', 'demo', '--only', seed.unchangedAfterRollback.join(',')]);
      expect(statuses(after.report)).toEqual(Object.fromEntries(seed.unchangedAfterRollback.map((id) => [id, 'pass'])));
    }
  });
});

describe('the stand-ins the dry-run proof relies on', () => {
  it('record a change they are asked for, and answer read-only questions without recording', async () => {
    const { runProcess } = await import('../../src/sdk/index.js');
    const folder = mkdtempSync(join(tmpdir(), 'rollout-journal-'));
    evidenceDirs.push(folder);
    const journal = join(folder, 'journal.log');
    const bin = join(ROOT, 'fixtures/seeds/bin');
    const version = await runProcess([join(bin, 'docker'), 'version', '--format', '{{.Server.Version}}'], { env: { ...process.env, SEEDS_JOURNAL: journal } });
    expect(version.stdout.trim()).toBe('24.0.7');
    const removed = await runProcess([join(bin, 'docker'), 'stack', 'rm', 'distributed-pg-cluster'], { env: { ...process.env, SEEDS_JOURNAL: journal } });
    expect(removed.exitCode).toBe(0);
    expect(readFileSync(journal, 'utf8')).toMatch(/^\S+ docker stack rm distributed-pg-cluster\n$/);
  });
});

// Change calendars as RRULE windows with the freeze (issue 16): staging and production carry
// the real calendar; the demo environments are always open (their freeze is a past one), so
// `check --env demo` passes whatever the date and time.
describe.concurrent.each([
  { file: 'playbooks/summit.yaml', node: 'go-live-window', command: ['check'], open: '2026-11-24T15:00:00Z', closed: '2026-11-24T19:00:00Z', resumes: 'resumes Wed 2026-11-25 14:00 UTC', frozen: '2026-12-22T15:00:00Z', freeze: 'denied by year-end change freeze (until Tue 2027-01-05 00:00 UTC)' },
  { file: 'playbooks/distributed-postgres.yaml', node: 'maintenance-window', command: ['promote', '--dry-run'], open: '2026-11-28T02:00:00Z', closed: '2026-11-26T02:00:00Z', resumes: 'resumes Sat 2026-11-28 01:00 UTC', frozen: '2026-12-19T02:00:00Z', freeze: 'denied by year-end change freeze and the 72 h rollback window before it' },
])('$file: $node is an RRULE calendar with a freeze', (seed) => {
  const at = (env: string, time: string) => run([...seed.command, '-p', seed.file, '--env', env, '--only', seed.node, '--at', time]);

  it('production: open inside the window, shut outside it (saying when it resumes) and in the freeze', async () => {
    const [open, closed, frozen] = await Promise.all([at('production', seed.open), at('production', seed.closed), at('production', seed.frozen)]);
    expect(statuses(open.report)).toEqual({ [seed.node]: 'pass' });
    expect(closed.report.nodes[0]).toMatchObject({ status: 'fail', message: expect.stringContaining(seed.resumes) });
    expect(frozen.report.nodes[0]).toMatchObject({ status: 'fail', message: expect.stringContaining(seed.freeze) });
    expect(closed.exitCode).toBe(1);
  });

  it('staging carries the same calendar; demo and demo-broken are open at any time, in the freeze and at night', async () => {
    const runs = await Promise.all([at('staging', seed.frozen), ...['demo', 'demo-broken'].flatMap((env) => [at(env, seed.frozen), at(env, seed.closed), at(env, new Date().toISOString())])]);
    expect(statuses(runs[0]!.report)).toEqual({ [seed.node]: 'fail' });
    for (const r of runs.slice(1)) expect(statuses(r.report)).toEqual({ [seed.node]: 'pass' });
  });
});

// fastapi-service's SLOs live in an OpenSLO file; its SLO gates are what `rollout import slo` makes of it.
describe('fastapi-service: SLO gates imported from fixtures/seeds/slo/fastapi-service.openslo.yaml', () => {
  const SLO_GATES = ['availability-burn-fast', 'availability-burn-slow', 'availability-error-budget'];

  it('re-importing the OpenSLO file gives exactly the SLO gates in the playbook', async () => {
    const imported = await rollout(['import', 'slo', 'fixtures/seeds/slo/fastapi-service.openslo.yaml', '--min-budget', '0.25'], { cwd: ROOT });
    expect(imported.exitCode, imported.stderr).toBe(0);
    const gates = parse(imported.stdout).gates;
    expect(gates.map((g: { id: string }) => g.id)).toEqual(SLO_GATES);
    expect(gates.map((g: { uses: string }) => g.uses)).toEqual(['prometheus.burn-rate', 'prometheus.burn-rate', 'prometheus.error-budget']);
    const playbook = parse(readFileSync(join(ROOT, 'playbooks/fastapi-service.yaml'), 'utf8'));
    expect(playbook.gates.filter((g: { id: string }) => SLO_GATES.includes(g.id))).toEqual(gates);
  });

  it('they pass on demo and fail on demo-broken against the fixture Prometheus', async () => {
    const [demo, broken] = await Promise.all(['demo', 'demo-broken'].map((e) => run(['check', '-p', 'playbooks/fastapi-service.yaml', '--env', e, '--only', SLO_GATES.join(',')])));
    expect(statuses(demo.report)).toEqual(Object.fromEntries(SLO_GATES.map((id) => [id, 'pass'])));
    expect(statuses(broken.report)).toEqual(Object.fromEntries(SLO_GATES.map((id) => [id, 'fail'])));
    // 20 minutes at 10 % errors overspend a 99.9 % budget many times over; demo keeps half of it.
    expect(demo.report.nodes.find((n) => n.id === 'availability-error-budget')).toMatchObject({ observed: expect.closeTo(0.5, 2) });
  });
});

// The seeds' canary judgement (issue 15): the canary track against the stable track with
// prometheus.compare, as the playbooks state it, over the fixture's track="canary"|"stable" series.
describe.concurrent.each([
  { file: 'playbooks/fastapi-service.yaml', nodes: ['canary-p99-vs-stable'] },
  { file: 'playbooks/trackshift.yaml', nodes: ['gateway-vs-stable', 'orchestrator-vs-stable'] },
])('$file: canary vs stable', ({ file, nodes }) => {
  const playbook = parse(readFileSync(join(ROOT, file), 'utf8'));
  const found = (id: string) => playbook.stages.flatMap((s: { verify?: Array<{ id: string }> }) => s.verify ?? []).find((n: { id: string }) => n.id === id);

  it.each(nodes)('%s passes on demo (canary as fast as stable) and fails on demo-broken (40 % slower) with the change and p', async (id) => {
    const node = found(id);
    expect(node.uses).toBe('prometheus.compare');
    const judge = async (environment: string) => {
      const vars = playbook.environments[environment].vars as Record<string, string>;
      const params = JSON.parse(JSON.stringify(node.with).replace(/\$\{vars\.(\w+)\}/g, (_, name: string) => vars[name]!));
      return runCheck(compare, params, prometheusContext({ url: env().PROM_URL }));
    };
    const [demo, broken] = await Promise.all([judge('demo'), judge('demo-broken')]);
    expect(demo).toMatchObject({ status: 'pass' });
    // 40 % slower with ±15 % noise per sample: the median change of a 10-minute window lands
    // between about +28 % and +51 % depending on when the test runs (10,000 windows simulated).
    expect(broken).toMatchObject({ status: 'fail', reasons: [expect.stringMatching(/^\+(2\d|3\d|4\d|5\d)(\.\d)?% vs baseline \(p=[\d.e-]+\)/)] });
  });
});
