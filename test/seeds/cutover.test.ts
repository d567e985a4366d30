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
// test/cli/seeds.test.ts share): promote on demo passes stage by stage; promote on
// demo-rollback — whose readiness gates pass — ships a bad release (fixtures/seeds/bad-release/)
// that fails the stage where the seed fears it and rolls back; rollback reads back what the
// promote captured; watch is quiet on demo and fires on demo-broken. Seeds run side by side;
// each run has its own evidence dir and journal.
const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** A journal line, or lines written by concurrent steps (any order). */
type Entry = string | string[];

interface Seed {
  file: string;
  approvals: string;
  /** What the stand-ins record during promote on demo, in order. */
  cutover: Entry[];
  /** promote --env demo-rollback: the gates pass, the cut-over breaks for the seed's reason. */
  rollback: {
    /** The nodes that fail, and the seed's reason (their message). */
    fails: Record<string, RegExp>;
    /** What the evidence says besides (e.g. the alert that fired). */
    evidence?: RegExp[];
    /** The rollback (steps and verify) and `finally`: all pass. */
    recovered: string[];
    /** Nodes of the stages after the failing one: never started. */
    notStarted: string[];
    /** The seed's sequence up to the failure, then the rollback's (and finally's) entries. */
    journal: Entry[];
  };
  /** The rollback's journal (rollback --yes on demo, watch --rollback). */
  rollbackJournal: Entry[];
  /** Triggers that fire on demo-broken. */
  fires: string[];
  /**
   * Where `watch --rollback` runs: demo-rollback right after its promote (the bad release's
   * windows still fire, and the rollback reads back what that promote captured), or
   * demo-broken for a seed whose bad release moves no metric its triggers watch.
   */
  watchRollback: { env: 'demo-rollback' | 'demo-broken'; fires: string[] };
  /** Runs that change the database must not overlap (the primary goes read-only in a stage). */
  serial?: boolean;
}

const SEEDS: Seed[] = [
  {
    file: 'playbooks/trackshift.yaml',
    approvals: 'fixtures/seeds/approvals/trackshift.promote.yaml',
    cutover: [
      'traffic tenants --enable f1-telemetry,clinic --observers read-only',
      ...[25, 50, 100].map((w) => [`traffic shift --service gateway --weight ${w}`, `traffic shift --service orchestrator --weight ${w}`]),
    ],
    rollback: {
      // "latency (<500ms critical chunk)": the gateway's first weight step.
      fails: { 'weight-latency[25]': /did not hold < 500ms/ },
      recovered: ['traffic-to-stable', 'undo-gateway', 'undo-orchestrator', 'gateway-back', 'orchestrator-back'],
      notStarted: ['shift-gateway[50]', 'weight-latency[100]'],
      journal: [
        'traffic tenants --enable f1-telemetry,clinic --observers read-only',
        ['traffic shift --service gateway --weight 25', 'traffic shift --service orchestrator --weight 25'],
        'traffic shift --service gateway,orchestrator --weight 0',
      ],
    },
    rollbackJournal: ['traffic shift --service gateway,orchestrator --weight 0'],
    fires: ['chunk-latency-critical', 'jobs-failing'],
    watchRollback: { env: 'demo-rollback', fires: ['chunk-latency-critical'] },
  },
  {
    file: 'playbooks/nova-rms.yaml',
    approvals: 'fixtures/seeds/approvals/nova-rms.promote.yaml',
    cutover: ['maintenance pause-cron billing-drill pipelines', 'terraform init', 'terraform plan -var-file=../fixtures/seeds/terraform/production.tfvars -out=nova.tfplan', 'terraform apply nova.tfplan'],
    rollback: {
      // "Watch the Helm release rollout … confirm readiness probes succeed": they never do.
      fails: { 'api-rolled-out': /nova-api" exceeded its progress deadline/, 'worker-rolled-out': /nova-worker" exceeded its progress deadline/ },
      recovered: ['undo-api', 'undo-worker', 'announce-rollback', 'api-back', 'worker-back', 'api-healthy-after'],
      notStarted: ['api-health', 'alerts-quiet-after'],
      journal: [
        'maintenance pause-cron billing-drill pipelines', 'terraform init', 'terraform plan -var-file=../fixtures/seeds/terraform/production.tfvars -out=nova.tfplan', 'terraform apply nova.tfplan',
        'notify #nova-dev,#nova-ops Production rollback in progress; postmortem to follow',
      ],
    },
    rollbackJournal: ['notify #nova-dev,#nova-ops Production rollback in progress; postmortem to follow'],
    fires: ['error-rate-high'],
    watchRollback: { env: 'demo-broken', fires: ['error-rate-high'] },
  },
  {
    file: 'playbooks/distributed-postgres.yaml',
    approvals: 'fixtures/seeds/approvals/dpg-cluster.promote.yaml',
    cutover: ['docker service update --force --detach=false dpg_app --replicas 0', 'docker stack deploy -c docker-compose.production.yml distributed-pg-cluster', 'docker service update dpg_app --replicas 3'],
    rollback: {
      // Phase 3: "Error rates should be <0.1%" while watching the metrics.
      fails: { 'soak-error-rate': /did not hold < 0\.001/ },
      recovered: ['read-only-off', 'stack-rm', 'rollback-writes-on', 'restore-snapshot', 'stack-deploy-previous', 'resume-traffic', 'notify-rollback', 'records-present', 'replication-healthy', 'writes-working'],
      notStarted: [],
      journal: [
        'docker service update --force --detach=false dpg_app --replicas 0', 'docker stack deploy -c docker-compose.production.yml distributed-pg-cluster', 'docker service update dpg_app --replicas 3',
        'docker stack rm distributed-pg-cluster', 'docker stack deploy -c docker-compose.production.rollback.yml distributed-pg-cluster', 'traffic shift --to previous', 'notify #dpg-ops Rollback complete. Incident report in progress.',
      ],
    },
    rollbackJournal: ['docker stack rm distributed-pg-cluster', 'docker stack deploy -c docker-compose.production.rollback.yml distributed-pg-cluster', 'traffic shift --to previous', 'notify #dpg-ops Rollback complete. Incident report in progress.'],
    // The watch ends at the first blocking trigger: the unwindowed ones fire at its first evaluation.
    fires: ['unplanned-failovers', 'success-error-rate'],
    watchRollback: { env: 'demo-rollback', fires: ['error-rate-high', 'success-error-rate'] },
    serial: true,
  },
  {
    file: 'playbooks/summit.yaml',
    approvals: 'fixtures/seeds/approvals/summit.promote.yaml',
    cutover: [
      'maintenance on report-studio', ['make migrate-postgres', 'make migrate-neo4j'],
      'make deploy SERVICE=prov-ledger', 'make deploy SERVICE=policy-lac', 'make deploy SERVICE=nl2cypher', 'make deploy SERVICE=report-studio',
      'maintenance off report-studio',
    ],
    rollback: {
      // T-0 step 7, the 15-minute final watch; "Trigger: any P0 alert".
      fails: { 'final-monitoring': /did not hold < 0\.01/, 'no-p0-after': /expected == 0/ },
      evidence: [/HighErrorRate/],
      recovered: ['rollback-maintenance-on', 'undo-prov-ledger', 'undo-policy-lac', 'undo-nl2cypher', 'undo-report-studio', 'migrations-down', 'rollback-maintenance-off', 'stable-prov-ledger', 'stable-policy-lac', 'stable-health', 'maintenance-off'],
      notStarted: [],
      journal: [
        'maintenance on report-studio', ['make migrate-postgres', 'make migrate-neo4j'],
        'make deploy SERVICE=prov-ledger', 'make deploy SERVICE=policy-lac', 'make deploy SERVICE=nl2cypher', 'make deploy SERVICE=report-studio',
        // The rollback plan, then `finally`: maintenance mode is off whatever happened.
        'maintenance on report-studio', 'make migrate-down', 'maintenance off report-studio',
        'maintenance off report-studio',
      ],
    },
    rollbackJournal: ['maintenance on report-studio', 'make migrate-down', 'maintenance off report-studio'],
    fires: ['p0-alert'],
    watchRollback: { env: 'demo-rollback', fires: ['p0-alert'] },
  },
  {
    file: 'playbooks/fastapi-service.yaml',
    approvals: 'fixtures/seeds/approvals/fastapi-service.promote.yaml',
    cutover: [10, 50, 100].map((w) => `traffic shift --service api --weight ${w}`),
    rollback: {
      // "Canary … with metric gates (no increasing error rates, p99s)": bad releases auto-roll back.
      fails: { 'canary-errors[10]': /did not hold < 0\.01/, 'canary-p99[10]': /did not hold < 1s/, 'canary-no-5xx-spike[10]': /expected < 14\.4/ },
      recovered: ['traffic-back', 'undo-api', 'api-rolled-back'],
      notStarted: ['shift-traffic[50]', 'shift-traffic[100]'],
      journal: ['traffic shift --service api --weight 10', 'traffic shift --service api --weight 0'],
    },
    rollbackJournal: ['traffic shift --service api --weight 0'],
    fires: ['error-rate-high', 'p99-high'],
    watchRollback: { env: 'demo-rollback', fires: ['error-rate-high', 'p99-high'] },
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

/** CLI runs at once: enough to overlap the soaks, few enough that a busy 2-core machine keeps the checks' timeouts. */
const CONCURRENT_RUNS = 8;
let running = 0;
const waiting: Array<() => void> = [];
async function slot<T>(fn: () => Promise<T>): Promise<T> {
  // A finished run hands its slot to the next waiting one directly.
  if (running >= CONCURRENT_RUNS) await new Promise<void>((resolve) => waiting.push(resolve));
  else running++;
  try {
    return await fn();
  } finally {
    const next = waiting.shift();
    if (next) next();
    else running--;
  }
}

/** One CLI run with its own journal; the evidence dir is new unless given (read-back needs the promote's). */
async function run(args: string[], evidenceDir = folder()): Promise<Run> {
  const journal = join(folder(), 'journal.log');
  writeFileSync(journal, '');
  const result = await slot(() => rollout([...args, '--reporter', 'json', '--evidence-dir', evidenceDir], { cwd: ROOT, env: { ...fixture.env, SEEDS_JOURNAL: journal } }));
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

/** The whole promote, gates included: demo-rollback is READY at rest and breaks on the change. */
function promoteRollback(seed: Seed): Promise<Run> {
  return once(`${seed.file} demo-rollback`, () => serially(seed, () => run(['promote', '-p', seed.file, '--env', 'demo-rollback', '--yes', '--approvals', seed.approvals])));
}

const WINDOW = ['--duration', '6s', '--interval', '1s'];
function watch(seed: Seed, env: 'demo' | 'demo-broken'): Promise<Run> {
  return once(`${seed.file} watch ${env}`, () => run(['watch', '-p', seed.file, '--env', env, ...WINDOW]));
}

/** After the promote of that environment, so captured values (${nodes.X...}) read back from its evidence. */
function watchRollback(seed: Seed): Promise<Run> {
  const { env } = seed.watchRollback;
  return once(`${seed.file} watch --rollback`, async () => {
    const promoted = env === 'demo-rollback' ? await promoteRollback(seed) : undefined;
    return serially(seed, () => run(['watch', '-p', seed.file, '--env', env, ...WINDOW, '--rollback', '--yes'], promoted?.evidenceDir));
  });
}

/** distributed-postgres' read-back: the dry run, then the rollback, after its demo promote (queued with its other database runs). */
function rollbackDemo(seed: Seed, mode: '--dry-run' | '--yes'): Promise<Run> {
  return once(`${seed.file} rollback ${mode}`, async () => {
    const promoted = await promoteDemo(seed);
    if (mode === '--yes') await rollbackDemo(seed, '--dry-run').catch(() => {});
    return serially(seed, () => run(['rollback', '-p', seed.file, '--env', 'demo', mode], promoted.evidenceDir));
  });
}

// Every run starts now, side by side (CONCURRENT_RUNS at a time), instead of when vitest's
// concurrency limit reaches its test: the soaks and watch windows of all seeds overlap.
beforeAll(() => {
  for (const seed of SEEDS) {
    for (const started of [promoteDemo(seed), promoteRollback(seed), watch(seed, 'demo'), watch(seed, 'demo-broken'), watchRollback(seed)]) started.catch(() => {});
    if (seed.serial) for (const mode of ['--dry-run', '--yes'] as const) rollbackDemo(seed, mode).catch(() => {});
  }
});

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

  it('promote --env demo-rollback: the gates pass, the stage fails for the seed\'s reason, the rollback runs and passes, finally runs', async () => {
    const { exitCode, report, journal, stderr } = await promoteRollback(seed);
    // READY at rest: every readiness gate that applies passes, so the stages run.
    const gates = report.nodes.filter((n) => n.role === 'gate');
    expect(gates.filter((n) => n.status !== 'pass' && n.status !== 'skipped').map((n) => `${n.id}: ${n.status} ${n.message ?? ''}`), stderr).toEqual([]);
    expect(gates.filter((n) => n.status === 'pass').length).toBeGreaterThan(5);
    const failed = Object.fromEntries(report.nodes.filter((n) => n.status === 'fail' || n.status === 'error').map((n) => [n.id, n.message ?? '']));
    expect(Object.keys(failed).sort()).toEqual(Object.keys(seed.rollback.fails).sort());
    for (const [id, reason] of Object.entries(seed.rollback.fails)) expect(failed[id], id).toMatch(reason);
    const evidence = readFileSync(report.evidence, 'utf8');
    for (const reason of seed.rollback.evidence ?? []) expect(evidence).toMatch(reason);
    expect(Object.fromEntries(seed.rollback.recovered.map((id) => [id, statusOf(report, id)]))).toEqual(Object.fromEntries(seed.rollback.recovered.map((id) => [id, 'pass'])));
    for (const id of seed.rollback.notStarted) expect(statusOf(report, id), id).toBe('skipped');
    expect(report.verdict).toBe('rolled-back');
    expect(exitCode).toBe(1);
    expectJournal(journal, seed.rollback.journal);
  });

  it('watch: quiet on demo, fired on demo-broken (exit 4); --rollback runs the rollback once', async () => {
    const [quiet, fired] = await Promise.all([watch(seed, 'demo'), watch(seed, 'demo-broken')]);
    expect(quiet.report.nodes.filter((n) => n.role === 'trigger' && n.status !== 'quiet').map((n) => `${n.id}: ${n.status} ${n.message}`)).toEqual([]);
    expect(quiet.exitCode).toBe(0);
    const firedIds = fired.report.nodes.filter((n) => n.role === 'trigger' && n.status === 'fired').map((n) => n.id);
    expect(firedIds.sort()).toEqual([...seed.fires].sort());
    expect(fired.exitCode).toBe(4);
    expect(fired.journal).toEqual([]);

    const rolledBack = await watchRollback(seed);
    expect(rolledBack.report.nodes.filter((n) => n.role === 'trigger' && n.status === 'fired').map((n) => n.id).sort()).toEqual([...seed.watchRollback.fires].sort());
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

    const dry = await rollbackDemo(seed, '--dry-run');
    expect(dry.report.nodes.find((n) => n.id === 'records-present')?.expected).toBe(expected);
    expect(dry.exitCode, JSON.stringify(dry.report.nodes.filter((n) => n.status === 'error'))).toBe(0);
    expect(dry.journal).toEqual([]);

    const done = await rollbackDemo(seed, '--yes');
    const verify = done.report.nodes.find((n) => n.id === 'records-present')!;
    expect(verify.expected).toBe(expected);
    expect(verify.status, verify.message).toBe('pass');
    expect(done.exitCode, JSON.stringify(done.report.nodes.filter((n) => n.status !== 'pass' && n.status !== 'quiet'))).toBe(0);
    expectJournal(done.journal, seed.rollbackJournal);
  });
});
