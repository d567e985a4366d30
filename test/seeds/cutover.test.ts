import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFixtureEnv, type FixtureEnv } from '../../scripts/fixture-env.mjs';
import { rollout, type CliRun } from '../helpers/cli.js';
import { setImage } from '../helpers/kubernetes/patch.js';

// Every seed's cut-over on its own fixture environment (scripts/fixture-env.mjs, started
// here: promotes change the cluster and the database, which the read-only seed checks in
// test/cli/seeds.test.ts share): promote on demo passes stage by stage, promote on
// demo-broken fails where the seed fears it and rolls back, rollback reads back what the
// promote captured, and watch fires on demo-broken only. Seeds run side by side; each run
// has its own evidence dir and journal.
const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** A journal line, or lines written by concurrent steps (any order). */
type Entry = string | string[];

interface Seed {
  file: string;
  approvals: string;
  /** The stage approvals a demo-broken run signs (the readiness gates are not run there). */
  stageApprovals: Record<string, string>;
  /** What the stand-ins record during promote on demo, in order. */
  cutover: Entry[];
  broken: {
    /** The nodes that fail, and the seed's reason. */
    fails: Record<string, RegExp>;
    /** The rollback (steps and verify) and `finally`: all pass. */
    recovered: string[];
    /** Nodes of the stages after the failing one: never started. */
    notStarted: string[];
    journal: Entry[];
  };
  /** The rollback's journal (rollback --yes on demo, watch --rollback on demo-broken). */
  rollbackJournal: Entry[];
  /** Triggers that fire on demo-broken. */
  fires: string[];
  /** Runs that change the database must not overlap (the primary goes read-only in a stage). */
  serial?: boolean;
}

const SEEDS: Seed[] = [
  {
    file: 'playbooks/trackshift.yaml',
    approvals: 'fixtures/seeds/approvals/trackshift.promote.yaml',
    stageApprovals: { 'stakeholders-on-call': 'Otto Orchestrator-SRE' },
    cutover: [
      'traffic tenants --enable f1-telemetry,clinic --observers read-only',
      ...[25, 50, 100].map((w) => [`traffic shift --service gateway --weight ${w}`, `traffic shift --service orchestrator --weight ${w}`]),
    ],
    broken: {
      fails: { 'canary-job-failures': /did not hold < 0\.01/ },
      recovered: ['traffic-to-stable', 'undo-gateway', 'undo-orchestrator', 'gateway-back', 'orchestrator-back'],
      notStarted: ['shift-gateway[25]', 'weight-errors[100]'],
      journal: ['traffic tenants --enable f1-telemetry,clinic --observers read-only', 'traffic shift --service gateway,orchestrator --weight 0'],
    },
    rollbackJournal: ['traffic shift --service gateway,orchestrator --weight 0'],
    fires: ['chunk-latency-critical', 'jobs-failing'],
  },
  {
    file: 'playbooks/nova-rms.yaml',
    approvals: 'fixtures/seeds/approvals/nova-rms.promote.yaml',
    stageApprovals: { 'plan-reviewed': 'Ian Commander' },
    cutover: ['maintenance pause-cron billing-drill pipelines', 'terraform init', 'terraform plan -var-file=../fixtures/seeds/terraform/production.tfvars -out=nova.tfplan', 'terraform apply nova.tfplan'],
    broken: {
      // After the apply, the demo-broken alerts (HighErrorRate, ...) are firing.
      fails: { 'alerts-quiet-after': /expected == 0/ },
      recovered: ['undo-api', 'undo-worker', 'announce-rollback', 'api-back', 'worker-back', 'api-healthy-after'],
      notStarted: [],
      journal: [
        'maintenance pause-cron billing-drill pipelines', 'terraform init', 'terraform plan -var-file=../fixtures/seeds/terraform/production.tfvars -out=nova.tfplan', 'terraform apply nova.tfplan',
        'notify #nova-dev,#nova-ops Production rollback in progress; postmortem to follow',
      ],
    },
    rollbackJournal: ['notify #nova-dev,#nova-ops Production rollback in progress; postmortem to follow'],
    fires: ['error-rate-high'],
  },
  {
    file: 'playbooks/distributed-postgres.yaml',
    approvals: 'fixtures/seeds/approvals/dpg-cluster.promote.yaml',
    stageApprovals: { 'notify-window': 'Olga Operations' },
    cutover: ['docker service update --force --detach=false dpg_app --replicas 0', 'docker stack deploy -c docker-compose.production.yml distributed-pg-cluster', 'docker service update dpg_app --replicas 3'],
    broken: {
      fails: { 'soak-error-rate': /did not hold < 0\.001/, 'soak-p95': /did not hold < 500ms/ },
      recovered: ['stack-rm', 'rollback-writes-on', 'restore-snapshot', 'stack-deploy-previous', 'resume-traffic', 'notify-rollback', 'records-present', 'replication-healthy', 'writes-working', 'read-only-off'],
      notStarted: [],
      journal: [
        'docker service update --force --detach=false dpg_app --replicas 0', 'docker stack deploy -c docker-compose.production.yml distributed-pg-cluster', 'docker service update dpg_app --replicas 3',
        'docker stack rm distributed-pg-cluster', 'docker stack deploy -c docker-compose.production.rollback.yml distributed-pg-cluster', 'traffic shift --to previous', 'notify #dpg-ops Rollback complete. Incident report in progress.',
      ],
    },
    rollbackJournal: ['docker stack rm distributed-pg-cluster', 'docker stack deploy -c docker-compose.production.rollback.yml distributed-pg-cluster', 'traffic shift --to previous', 'notify #dpg-ops Rollback complete. Incident report in progress.'],
    // The watch ends at the first blocking trigger: the unwindowed ones fire at its first evaluation.
    fires: ['unplanned-failovers', 'success-error-rate'],
    serial: true,
  },
  {
    file: 'playbooks/summit.yaml',
    approvals: 'fixtures/seeds/approvals/summit.promote.yaml',
    stageApprovals: { 'manual-validation': 'Oni On-call' },
    cutover: [
      'maintenance on report-studio', ['make migrate-postgres', 'make migrate-neo4j'],
      'make deploy SERVICE=prov-ledger', 'make deploy SERVICE=policy-lac', 'make deploy SERVICE=nl2cypher', 'make deploy SERVICE=report-studio',
      'maintenance off report-studio',
    ],
    broken: {
      fails: { 'prov-ledger-rolled-out': /exceeded its progress deadline/ },
      recovered: ['rollback-maintenance-on', 'undo-prov-ledger', 'undo-policy-lac', 'undo-nl2cypher', 'undo-report-studio', 'migrations-down', 'rollback-maintenance-off', 'stable-prov-ledger', 'stable-policy-lac', 'stable-health', 'maintenance-off'],
      notStarted: [],
      journal: [
        'maintenance on report-studio', ['make migrate-postgres', 'make migrate-neo4j'], 'make deploy SERVICE=prov-ledger',
        // The rollback, then `finally`: maintenance mode is off whatever happened.
        'maintenance on report-studio', 'make migrate-down', 'maintenance off report-studio',
        'maintenance off report-studio',
      ],
    },
    rollbackJournal: ['maintenance on report-studio', 'make migrate-down', 'maintenance off report-studio'],
    fires: ['p0-alert'],
  },
  {
    file: 'playbooks/fastapi-service.yaml',
    approvals: 'fixtures/seeds/approvals/fastapi-service.promote.yaml',
    stageApprovals: {},
    cutover: [10, 50, 100].map((w) => `traffic shift --service api --weight ${w}`),
    broken: {
      fails: { 'canary-errors[10]': /did not hold < 0\.01/, 'canary-p99[10]': /did not hold < 1s/, 'canary-no-5xx-spike[10]': /expected < 14\.4/, 'canary-p99-vs-stable[10]': /^\+\d+(\.\d)?% vs baseline \(p=/ },
      recovered: ['traffic-back', 'undo-api', 'api-rolled-back'],
      notStarted: ['shift-traffic[50]', 'shift-traffic[100]'],
      journal: ['traffic shift --service api --weight 10', 'traffic shift --service api --weight 0'],
    },
    rollbackJournal: ['traffic shift --service api --weight 0'],
    fires: ['error-rate-high', 'p99-high'],
  },
];

interface Report {
  verdict: string;
  exitCode: number;
  evidence: string;
  nodes: Array<{ id: string; role: string; status: string; message?: string; expected?: string; params?: Record<string, unknown>; outputs?: Record<string, unknown> }>;
}

let fixture: FixtureEnv;
const folders: string[] = [];
beforeAll(async () => {
  fixture = await startFixtureEnv();
}, 120_000);
afterAll(async () => {
  await fixture?.stop();
  for (const dir of folders) rmSync(dir, { recursive: true, force: true });
});

function folder(): string {
  const dir = mkdtempSync(join(tmpdir(), 'rollout-cutover-'));
  folders.push(dir);
  return dir;
}

interface Run extends CliRun {
  report: Report;
  journal: string[];
  evidenceDir: string;
}

/** One CLI run with its own journal; the evidence dir is new unless given (read-back needs the promote's). */
async function run(args: string[], evidenceDir = folder()): Promise<Run> {
  const journal = join(folder(), 'journal.log');
  writeFileSync(journal, '');
  const result = await rollout([...args, '--reporter', 'json', '--evidence-dir', evidenceDir], { cwd: ROOT, env: { ...fixture.env, SEEDS_JOURNAL: journal } });
  if (!result.json) throw new Error(`no JSON report (exit ${result.exitCode}):\n${result.stdout}\n${result.stderr}`);
  const lines = readFileSync(journal, 'utf8').split('\n').filter(Boolean).map((line) => line.replace(/^\S+ /, ''));
  return { ...result, report: result.json as Report, journal: lines, evidenceDir };
}

/** The journal holds exactly these entries in this order (concurrent steps: in any order among themselves). */
function expectJournal(actual: string[], expected: Entry[]): void {
  const normalised: string[] = [];
  let at = 0;
  for (const entry of expected) {
    const group = Array.isArray(entry) ? entry : [entry];
    const slice = actual.slice(at, at + group.length);
    normalised.push(...(slice.every((line) => group.includes(line)) ? group : slice));
    at += group.length;
  }
  normalised.push(...actual.slice(at));
  expect(normalised).toEqual(expected.flat());
}

function statusOf(report: Report, id: string): string | undefined {
  return report.nodes.find((n) => n.id === id)?.status;
}

const chains = new Map<string, Promise<unknown>>();
/** Runs fn after the seed's previous serial run (only for seeds whose runs would race on the database). */
function serially<T>(seed: Seed, fn: () => Promise<T>): Promise<T> {
  if (!seed.serial) return fn();
  const next = (chains.get(seed.file) ?? Promise.resolve()).then(fn, fn);
  chains.set(seed.file, next.catch(() => {}));
  return next;
}

const memo = new Map<string, Promise<Run>>();
function once(key: string, fn: () => Promise<Run>): Promise<Run> {
  if (!memo.has(key)) memo.set(key, fn());
  return memo.get(key)!;
}

function promoteDemo(seed: Seed): Promise<Run> {
  return once(`${seed.file} demo`, () => serially(seed, () => run(['promote', '-p', seed.file, '--env', 'demo', '--yes', '--approvals', seed.approvals])));
}

/**
 * demo-broken fails its readiness gates by design (test/cli/seeds.test.ts), so promote would
 * stop before any stage: the cut-over is run without them (--only every stage, rollback and
 * finally node), as an operator re-running the cut-over after a waived gate would.
 */
async function promoteBroken(seed: Seed): Promise<Run> {
  return once(`${seed.file} demo-broken`, async () => {
    const plan = await rollout(['plan', '-p', seed.file, '--env', 'demo-broken', '--for', 'promote', '--format', 'json'], { cwd: ROOT, env: fixture.env });
    const nodes = (JSON.parse(plan.stdout) as { nodes: Array<{ baseId: string; role: string }> }).nodes;
    const only = [...new Set(nodes.filter((n) => n.role !== 'gate').map((n) => n.baseId))];
    const approvals = Object.entries(seed.stageApprovals).flatMap(([id, name]) => ['--approve', `${id}=${name}`]);
    return serially(seed, () => run(['promote', '-p', seed.file, '--env', 'demo-broken', '--yes', '--only', only.join(','), ...approvals]));
  });
}

describe.concurrent.each(SEEDS)('$file cut-over', (seed) => {
  it('promote --env demo: every stage in order, verdict pass, the journal is the cut-over sequence', async () => {
    const { exitCode, report, journal, stderr } = await promoteDemo(seed);
    const notPassed = report.nodes.filter((n) => !['pass', 'skipped'].includes(n.status) && n.role !== 'rollback-step' && n.role !== 'rollback-verify');
    expect(notPassed.map((n) => `${n.id}: ${n.status} ${n.message ?? ''}`), stderr).toEqual([]);
    expect(report.verdict).toBe('pass');
    expect(exitCode).toBe(0);
    // No rollback ran: its nodes are not part of a passing promote.
    expect(report.nodes.filter((n) => n.role.startsWith('rollback') && n.status !== 'skipped').map((n) => n.id)).toEqual([]);
    expectJournal(journal, seed.cutover);
  });

  it('promote --env demo-broken: the stage fails for the seed\'s reason, the rollback runs and passes, finally runs', async () => {
    const { exitCode, report, journal } = await promoteBroken(seed);
    const failed = Object.fromEntries(report.nodes.filter((n) => n.status === 'fail' || n.status === 'error').map((n) => [n.id, n.message ?? '']));
    expect(Object.keys(failed).sort()).toEqual(Object.keys(seed.broken.fails).sort());
    for (const [id, reason] of Object.entries(seed.broken.fails)) expect(failed[id], id).toMatch(reason);
    expect(Object.fromEntries(seed.broken.recovered.map((id) => [id, statusOf(report, id)]))).toEqual(Object.fromEntries(seed.broken.recovered.map((id) => [id, 'pass'])));
    for (const id of seed.broken.notStarted) expect(statusOf(report, id), id).toBe('skipped');
    expect(report.verdict).toBe('rolled-back');
    expect(exitCode).toBe(1);
    expectJournal(journal, seed.broken.journal);
  });

  it('watch: quiet on demo, fired on demo-broken (exit 4); --rollback runs the rollback once', async () => {
    const window = ['--duration', '6s', '--interval', '1s'];
    const [quiet, fired] = await Promise.all([
      run(['watch', '-p', seed.file, '--env', 'demo', ...window]),
      run(['watch', '-p', seed.file, '--env', 'demo-broken', ...window]),
    ]);
    expect(quiet.report.nodes.filter((n) => n.role === 'trigger' && n.status !== 'quiet').map((n) => `${n.id}: ${n.status} ${n.message}`)).toEqual([]);
    expect(quiet.exitCode).toBe(0);
    const firedIds = fired.report.nodes.filter((n) => n.role === 'trigger' && n.status === 'fired').map((n) => n.id);
    expect(firedIds.sort()).toEqual([...seed.fires].sort());
    expect(fired.exitCode).toBe(4);
    expect(fired.journal).toEqual([]);

    // After the broken promote, so captured values (${nodes.X...}) read back from its evidence.
    const promoted = await promoteBroken(seed);
    const rolledBack = await serially(seed, () => run(['watch', '-p', seed.file, '--env', 'demo-broken', ...window, '--rollback', '--yes'], promoted.evidenceDir));
    const rollbackNodes = rolledBack.report.nodes.filter((n) => n.role === 'rollback-step' || n.role === 'rollback-verify');
    expect(rollbackNodes.filter((n) => n.status !== 'pass').map((n) => `${n.id}: ${n.status} ${n.message}`)).toEqual([]);
    expect(rollbackNodes.length).toBeGreaterThan(0);
    expect(rolledBack.exitCode).toBe(4);
    expectJournal(rolledBack.journal, seed.rollbackJournal);
  });
});

describe.concurrent('rollback reads back what the promote captured', () => {
  it('fastapi-service: the revision before the canary — dry run shows it, rollback --yes restores it', async ({ expect }) => {
    const seed = SEEDS.find((s) => s.file.includes('fastapi'))!;
    const promoted = await promoteDemo(seed);
    const before = promoted.report.nodes.find((n) => n.id === 'api-before')!;
    const revision = before.outputs?.revision as number;
    const image = (before.outputs?.images as Record<string, string>).api;
    expect(revision).toBeGreaterThan(0);

    // What the canary shipped: a new image, rolled out by the fixture controller.
    const kube = fixture.kubernetes.healthy;
    const generation = kube.get('apps/v1', 'Deployment', 'payments', 'api').metadata.generation;
    expect(await setImage(kube, 'payments', 'api', 'api', 'registry.example.com/payments/api:v9.9.9')).toBe(200);
    await expect.poll(() => kube.get('apps/v1', 'Deployment', 'payments', 'api').status.observedGeneration, { timeout: 5000 }).toBe(generation + 1);

    const dry = await run(['rollback', '-p', seed.file, '--env', 'demo', '--dry-run'], promoted.evidenceDir);
    const planned = dry.report.nodes.find((n) => n.id === 'undo-api')!;
    expect(planned.params?.toRevision).toBe(revision);
    expect(planned.status).toBe('dry-run');
    expect(dry.exitCode, JSON.stringify(dry.report.nodes.filter((n) => n.status === 'error'))).toBe(0);
    expect(dry.journal).toEqual([]);

    const done = await run(['rollback', '-p', seed.file, '--env', 'demo', '--yes'], promoted.evidenceDir);
    const undo = done.report.nodes.find((n) => n.id === 'undo-api')!;
    expect(undo.params?.toRevision).toBe(revision);
    expect(undo.status, undo.message).toBe('pass');
    expect(statusOf(done.report, 'api-rolled-back')).toBe('pass');
    expect(done.exitCode).toBe(0);
    expect(kube.get('apps/v1', 'Deployment', 'payments', 'api').spec.template.spec.containers.find((c: { name: string }) => c.name === 'api').image).toBe(image);
    expectJournal(done.journal, seed.rollbackJournal);
  });

  it('distributed-postgres: the row count before the migration — dry run shows it, the rollback verifies against it', async () => {
    const seed = SEEDS.find((s) => s.file.includes('distributed-postgres'))!;
    const promoted = await promoteDemo(seed);
    const rows = promoted.report.nodes.find((n) => n.id === 'rows-before')!;
    expect(Number((rows as { observed?: unknown }).observed)).toBeGreaterThan(0);
    const expected = `>= ${(rows as { observed?: unknown }).observed}`;

    const dry = await serially(seed, () => run(['rollback', '-p', seed.file, '--env', 'demo', '--dry-run'], promoted.evidenceDir));
    expect(dry.report.nodes.find((n) => n.id === 'records-present')?.expected).toBe(expected);
    expect(dry.exitCode, JSON.stringify(dry.report.nodes.filter((n) => n.status === 'error'))).toBe(0);
    expect(dry.journal).toEqual([]);

    const done = await serially(seed, () => run(['rollback', '-p', seed.file, '--env', 'demo', '--yes'], promoted.evidenceDir));
    const verify = done.report.nodes.find((n) => n.id === 'records-present')!;
    expect(verify.expected).toBe(expected);
    expect(verify.status, verify.message).toBe('pass');
    expect(done.exitCode, JSON.stringify(done.report.nodes.filter((n) => n.status !== 'pass' && n.status !== 'quiet'))).toBe(0);
    expectJournal(done.journal, seed.rollbackJournal);
  });
});
