#!/usr/bin/env node
// The seed playbooks' fixture environment, on loopback ports in a temp dir: three fixture
// Kubernetes API servers (seeds-healthy for env demo, seeds-broken for demo-broken, and for
// demo-rollback seeds-healthy whose controller never finishes a new template),
// Prometheus over backfilled history that ends now and continues live (it scrapes the
// fixture service), PostgreSQL (primary, a standby that keeps up, one whose replay is
// paused), backups (fresh vs stale), drill logs, and a small HTTP(S) service. Plain ESM so
// `npm run demo` and the tests use it without building anything.
//
//   node scripts/fixture-env.mjs                 # prints the environment as JSON, runs until Ctrl-C
//   node scripts/fixture-env.mjs -- CMD ARGS...  # runs CMD with the environment, then tears down
import { execFile, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { createServer as createHttpServer } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { startApiServer } from '../fixtures/kubernetes/api-server.mjs';
import { exposition, historyOpenMetrics, RELEASE_FAULTS, ROLLBACK_ENVS, STEP_MS } from '../fixtures/seeds/metrics.mjs';
import { DATABASE, PG_BIN, ROLE, sqlAsSuperuser, startPostgres, stopPostgresIn } from '../fixtures/seeds/postgres.mjs';
import { onFreePort, startService } from '../fixtures/seeds/start.mjs';
import { killRecordedKinds, startKindsFixtures, startPgBouncers } from '../fixtures/seeds/kinds.mjs';

const run = promisify(execFile);
const ROOT = fileURLToPath(new URL('..', import.meta.url));
const SEEDS = join(ROOT, 'fixtures/seeds');
const DAY_MS = 86_400_000;

function listen(server) {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve(server.address().port));
  });
}

/** A self-signed certificate for 127.0.0.1, valid `days` (made at start, never committed). */
async function makeCertificate(dir, days) {
  const key = join(dir, 'tls.key');
  const cert = join(dir, 'tls.crt');
  await run('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', String(days),
    '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1,DNS:localhost', '-keyout', key, '-out', cert]);
  return { key: readFileSync(key), cert: readFileSync(cert), certPath: cert };
}

/** The seeds' service: health, readiness, metrics (also what Prometheus scrapes), security headers. */
function handler(clock) {
  return (req, res) => {
    const headers = {
      'strict-transport-security': 'max-age=31536000; includeSubDomains',
      'content-security-policy': "default-src 'self'",
      'x-content-type-options': 'nosniff',
      'x-request-id': randomBytes(8).toString('hex'),
    };
    const path = (req.url ?? '/').split('?')[0];
    if (path === '/fixture/release' && req.method === 'POST') return release(req, res, clock);
    if (path === '/metrics' || path === '/v1/metrics') {
      res.writeHead(200, { ...headers, 'content-type': 'text/plain; version=0.0.4' });
      return res.end(exposition(Date.now(), clock));
    }
    if (path === '/v1/health' || path === '/healthz' || path === '/readyz' || path === '/ready') {
      res.writeHead(200, { ...headers, 'content-type': 'application/json' });
      return res.end(JSON.stringify({ status: 'ok', version: '1.8.0', checks: { database: 'ok', redis: 'ok', upstream: 'ok' } }));
    }
    if (path === '/' && !req.socket.encrypted && clock.httpsUrl) {
      // "redirect HTTP→HTTPS": the plain listener sends browsers to the TLS one.
      res.writeHead(308, { ...headers, location: `${clock.httpsUrl}/` });
      return res.end();
    }
    if (path === '/') {
      res.writeHead(200, { ...headers, 'content-type': 'text/plain' });
      return res.end('seeds fixture service\n');
    }
    res.writeHead(404, headers);
    res.end('not found\n');
  };
}

/** Bounded wait for Prometheus to see a bad release (its alert firing). */
const RELEASE_SEEN_MS = Number(process.env.SEEDS_RELEASE_SEEN_MS ?? 30_000);

/**
 * POST /fixture/release?env=E&job=J (the stand-ins in fixtures/seeds/bad-release/, environment
 * demo-rollback): a bad release of J ships now — from here on its series labelled env=E
 * (one of ROLLBACK_ENVS) carry RELEASE_FAULTS[J]. Answers once
 * Prometheus has scraped it and the alert it causes fires, as a real rollout step returns
 * once traffic moved: so the stage's verify, which starts after the step, sees the fault
 * instead of racing the next scrape.
 */
async function release(req, res, clock) {
  const params = new URL(req.url, 'http://fixture').searchParams;
  const env = params.get('env') ?? '';
  const job = params.get('job') ?? '';
  const fault = RELEASE_FAULTS[job];
  if (!fault || !ROLLBACK_ENVS.includes(env)) {
    res.writeHead(404, { 'content-type': 'text/plain' });
    return res.end(`no release fault for env ${JSON.stringify(env)}, job ${JSON.stringify(job)}\n`);
  }
  clock.releases ??= new Map();
  const key = `${env}/${job}`;
  if (!clock.releases.has(key)) clock.releases.set(key, Date.now());
  const query = `ALERTS{alertstate="firing",env="${env}",${fault.firing}}`;
  try {
    await waitFor(`Prometheus to fire ${query}`, async () => {
      const answer = await fetch(`${clock.prometheusUrl}/api/v1/query?query=${encodeURIComponent(query)}`).then((r) => r.json()).catch(() => null);
      return (answer?.data?.result?.length ?? 0) > 0;
    }, RELEASE_SEEN_MS);
  } catch (error) {
    res.writeHead(504, { 'content-type': 'text/plain' });
    return res.end(`${error.message}\n`);
  }
  res.writeHead(200, { 'content-type': 'text/plain' });
  res.end(`released ${job} at ${new Date(clock.releases.get(key)).toISOString()}; Prometheus fires ${query}\n`);
}

async function startPrometheus(dir, clock, targetPort, signal) {
  const history = join(dir, 'history.om');
  // History up to the last whole step before now; the live scrape continues from there.
  const end = Math.floor((clock.startedAt - 1000) / STEP_MS) * STEP_MS;
  writeFileSync(history, historyOpenMetrics(clock, end));
  const data = join(dir, 'prometheus-data');
  // promtool keeps its head block in $TMPDIR; a start that is stopped half-way kills it before
  // it can remove that, so it lives in the fixture's folder, which the stop removes.
  const promtoolTmp = join(dir, 'promtool-tmp');
  mkdirSync(promtoolTmp, { recursive: true });
  await run('promtool', ['tsdb', 'create-blocks-from', 'openmetrics', history, data], { maxBuffer: 64 << 20, signal, env: { ...process.env, TMPDIR: promtoolTmp } });
  rmSync(history);
  const config = join(dir, 'prometheus.yml');
  writeFileSync(config, [
    'global: { scrape_interval: 2s, evaluation_interval: 1s }',
    `rule_files: [${JSON.stringify(join(SEEDS, 'rules.yml'))}]`,
    'scrape_configs:',
    '  - job_name: seeds',
    '    honor_labels: true',
    `    static_configs: [{ targets: ["127.0.0.1:${targetPort}"] }]`,
    '',
  ].join('\n'));
  // Prometheus cannot report a port it chose itself: a port picked just before, another one if it was taken meanwhile.
  return onFreePort((port) => launchPrometheus(dir, config, data, port, signal));
}

/** Bounded readiness waits: on a loaded machine the first rule evaluation and scrape can take a while. */
const PROMETHEUS_READY_MS = Number(process.env.SEEDS_PROMETHEUS_READY_MS ?? 60_000);

async function launchPrometheus(dir, config, data, port, signal) {
  const child = spawn('prometheus', [`--config.file=${config}`, `--storage.tsdb.path=${data}`, `--web.listen-address=127.0.0.1:${port}`,
    '--storage.tsdb.retention.time=3650d', '--log.level=warn'], { stdio: ['ignore', 'ignore', 'pipe'] });
  // Without a listener, a failed spawn (ENOENT, EAGAIN on a loaded machine) would be an uncaught exception.
  let spawnError;
  child.on('error', (error) => void (spawnError = error));
  writeFileSync(join(dir, 'prometheus.pid'), String(child.pid ?? ''));
  const chunks = [];
  child.stderr.on('data', (c) => chunks.push(c));
  const url = `http://127.0.0.1:${port}`;
  // Ready, the broken environment's error-rate alert firing (rules run every second), scraped once.
  try {
    await waitFor(`Prometheus at ${url} to answer, fire the demo-broken alerts and scrape the service`, async () => {
      if (spawnError) throw new Error(`could not run prometheus: ${spawnError.message}`);
      if (signal?.aborted) throw new Error('stopped: another service did not start');
      if (child.exitCode !== null) throw new Error(`prometheus exited with ${child.exitCode}: ${Buffer.concat(chunks).toString().trim().slice(-2000)}`);
      const alerts = await fetch(`${url}/api/v1/alerts`).then((r) => r.json()).catch(() => null);
      const firing = alerts?.data?.alerts?.some((a) => a.labels.alertname === 'HighErrorRate' && a.labels.env === 'demo-broken' && a.state === 'firing');
      // …and the first scrape landed, so `up` answers and the live samples continue the history.
      const up = firing && (await fetch(`${url}/api/v1/query?query=${encodeURIComponent('up{job="seeds"}')}`).then((r) => r.json()).catch(() => null));
      return up?.data?.result?.[0]?.value?.[1] === '1';
    }, PROMETHEUS_READY_MS);
  } catch (error) {
    child.kill('SIGKILL');
    throw error;
  }
  return { url, child };
}

async function waitFor(what, probe, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await probe()) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out waiting for ${what}`);
}

function age(path, ms) {
  const t = new Date(Date.now() - ms);
  utimesSync(path, t, t);
}

/** Backups (pg_dump through the seed's own backup-manager.sh) and drill logs: fresh, and a stale copy. */
async function makeArtifacts(dir, pgEnv) {
  const fresh = join(dir, 'backups');
  const stale = join(dir, 'backups-stale');
  for (const snapshot of ['production-pre-rollout', 'production-final-pre-migration']) {
    await run(join(ROOT, 'fixtures/backup/backup-manager.sh'), ['--snapshot', snapshot], { env: { ...process.env, ...pgEnv, BACKUP_DIR: fresh } });
  }
  mkdirSync(join(fresh, 'neo4j'));
  const graph = randomBytes(64 * 1024);
  writeFileSync(join(fresh, 'neo4j/graph.backup'), graph);
  const { stdout } = await run('sha256sum', ['graph.backup'], { cwd: join(fresh, 'neo4j') });
  writeFileSync(join(fresh, 'neo4j/graph.backup.sha256'), stdout);
  mkdirSync(join(stale, 'neo4j'), { recursive: true });
  for (const file of readdirSync(fresh)) if (file !== 'neo4j') copyFileSync(join(fresh, file), join(stale, file));
  for (const file of readdirSync(join(fresh, 'neo4j'))) copyFileSync(join(fresh, 'neo4j', file), join(stale, 'neo4j', file));
  for (const file of readdirSync(stale)) if (file !== 'neo4j') age(join(stale, file), 3 * DAY_MS);
  for (const file of readdirSync(join(stale, 'neo4j'))) age(join(stale, 'neo4j', file), 3 * DAY_MS);

  const drills = join(dir, 'drills');
  const drillsStale = join(dir, 'drills-stale');
  for (const [folder, ageMs] of [[drills, 2 * DAY_MS], [drillsStale, 10 * DAY_MS]]) {
    mkdirSync(join(folder, 'staging'), { recursive: true });
    const stamp = new Date(Date.now() - ageMs).toISOString().replace(/[:.]/g, '-');
    const file = join(folder, 'staging', `${stamp}-billing-drill.md`);
    writeFileSync(file, '# Billing drill (staging)\n\nresult: PASS\n');
    age(file, ageMs);
  }
  return { fresh, stale, drills, drillsStale };
}

function isAlive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return error.code === 'EPERM';
  }
}

/** The Prometheus this folder's environment started, by its recorded pid — only if its command line names the folder. */
function killRecordedPrometheus(dir) {
  const pidFile = join(dir, 'prometheus.pid');
  const pid = existsSync(pidFile) ? Number(readFileSync(pidFile, 'utf8')) : NaN;
  try {
    if (Number.isInteger(pid) && isAlive(pid) && readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(dir)) process.kill(pid, 'SIGKILL');
  } catch {
    // Gone between the check and the kill.
  }
}

/**
 * Environments whose owner died without tearing down (kill -9, Ctrl-C during start-up): stop
 * their PostgreSQL servers and Prometheus (by the pid they recorded), remove their folders.
 */
async function stopAbandoned(base) {
  for (const name of readdirSync(base).filter((n) => n.startsWith('rollout-seeds-env-'))) {
    const dir = join(base, name);
    // No owner.pid yet: another environment is starting right now (concurrent starts), not abandoned.
    let owner;
    try {
      owner = Number(readFileSync(join(dir, 'owner.pid'), 'utf8').trim() || 'NaN');
    } catch {
      continue;
    }
    if (!Number.isInteger(owner) || isAlive(owner)) continue;
    try {
      killRecordedPrometheus(dir);
      killRecordedKinds(dir);
      await stopPostgresIn(join(dir, 'pg'));
      rmSync(dir, { recursive: true, force: true });
    } catch {
      // Another start is cleaning the same folder up.
    }
  }
}

/** Starts everything; returns `{ env, dir, postgres, stop() }`. `env` holds the coordinates the playbooks read. */
export async function startFixtureEnv(options = {}) {
  const startedAt = Date.now();
  const base = options.tmpDir ?? tmpdir();
  await stopAbandoned(base).catch(() => {});
  const dir = mkdtempSync(join(base, 'rollout-seeds-env-'));
  chmodSync(dir, 0o755);
  writeFileSync(join(dir, 'owner.pid'), String(process.pid));
  const clock = { startedAt };
  const stops = [];
  let kindsStarting;
  const stop = async () => {
    // Redis, etcd, DNS, Patroni, TLS, Alertmanager still starting register their stops when up.
    await kindsStarting?.catch(() => {});
    for (const fn of stops.reverse()) await fn().catch(() => {});
    killRecordedKinds(dir);
    // Also what a failed start left half-started (servers up before another one failed).
    killRecordedPrometheus(dir);
    await stopPostgresIn(join(dir, 'pg')).catch(() => {});
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    const password = `fx-${randomBytes(12).toString('hex')}`;
    const journal = join(dir, 'journal.log');
    writeFileSync(journal, '');

    const http = createHttpServer(handler(clock));
    const httpPort = await listen(http);
    stops.push(() => new Promise((r) => { http.closeAllConnections(); http.close(() => r()); }));
    const tls = await startService('the HTTPS service (its certificate)', makeCertificate(dir, 90));
    const https = createHttpsServer({ key: tls.key, cert: tls.cert }, handler(clock));
    const httpsPort = await listen(https);
    clock.httpsUrl = `https://127.0.0.1:${httpsPort}`;
    stops.push(() => new Promise((r) => { https.closeAllConnections(); https.close(() => r()); }));

    // The systems of the newer kinds (Redis, etcd, DNS, Patroni, TLS, Alertmanager) start alongside the four below.
    kindsStarting = startKindsFixtures({ dir, httpPort, register: (fn) => stops.push(fn) });
    kindsStarting.catch(() => {});
    // All start together; each registers its stop as soon as it is up, so a failure of one
    // tears down the others — and stops Prometheus' start at once instead of waiting it out.
    const timingsMs = {};
    const failed = new AbortController();
    const started = (service, promise, stopOf) => startService(service, promise).then((value) => {
      timingsMs[service] = Date.now() - startedAt;
      stops.push(() => stopOf(value));
      return value;
    }, (error) => {
      failed.abort();
      throw error;
    });
    const results = await Promise.allSettled([
      started('the fixture Kubernetes API server (seeds-healthy)', startApiServer({ scenario: 'seeds-healthy' }), (s) => s.close()),
      started('the fixture Kubernetes API server (seeds-broken)', startApiServer({ scenario: 'seeds-broken' }), (s) => s.close()),
      // demo-rollback: healthy at rest; a template no ReplicaSet ran stalls (ProgressDeadlineExceeded), an undo completes.
      started('the fixture Kubernetes API server (seeds-rollback)', startApiServer({ scenario: 'seeds-healthy', controller: { newTemplates: 'stall' } }), (s) => s.close()),
      started('Prometheus', startPrometheus(dir, clock, httpPort, failed.signal), async (p) => p.child.kill('SIGTERM')),
      started('PostgreSQL (primary and standbys)', startPostgres({ root: join(dir, 'pg'), password, sqlDir: join(SEEDS, 'sql'), migrationsDir: join(SEEDS, 'migrations') }), (p) => p.stop()),
    ]);
    // The services stopped because another failed are not failures of their own.
    const reasons = results.filter((r) => r.status === 'rejected').map((r) => r.reason);
    const own = reasons.filter((e) => !/stopped: another service did not start|aborted/i.test(e.message));
    const shown = own.length ? own : reasons;
    if (shown.length) throw shown.length === 1 ? shown[0] : new Error(shown.map((e) => e.message).join('\n'));
    const [kube, kubeBroken, kubeRollback, prometheus, postgres] = results.map((r) => r.value);
    clock.prometheusUrl = prometheus.url;

    const url = (port) => `postgres://${ROLE}:${password}@127.0.0.1:${port}/${DATABASE}`;
    const pgEnv = { PGHOST: '127.0.0.1', PGPORT: String(postgres.primary.port), PGUSER: ROLE, PGPASSWORD: password, PGDATABASE: DATABASE, PG_BIN };
    const artifacts = await startService('backups and drill logs', makeArtifacts(dir, pgEnv));
    const kindsEnv = { ...(await kindsStarting), ...(await startPgBouncers({ dir, pgPort: postgres.primary.port, register: (fn) => stops.push(fn) })) };
    timingsMs['backups and drill logs'] = Date.now() - startedAt;
    const env = {
      KUBECONFIG: kube.kubeconfigPath,
      SEEDS_KUBECONFIG_BROKEN: kubeBroken.kubeconfigPath,
      SEEDS_KUBECONFIG_ROLLBACK: kubeRollback.kubeconfigPath,
      PROM_URL: prometheus.url,
      DATABASE_URL: url(postgres.primary.port),
      DATABASE_STANDBY_URL: url(postgres.standby.port),
      DATABASE_LAGGING_STANDBY_URL: url(postgres.lagging.port),
      ...pgEnv,
      BACKUP_DIR: artifacts.fresh,
      BACKUP_DIR_STALE: artifacts.stale,
      DRILL_LOG_DIR: artifacts.drills,
      DRILL_LOG_DIR_STALE: artifacts.drillsStale,
      SEEDS_HTTP_URL: `http://127.0.0.1:${httpPort}`,
      SEEDS_HTTPS_URL: `https://127.0.0.1:${httpsPort}`,
      SEEDS_HTTPS_CA: tls.certPath,
      SEEDS_JOURNAL: journal,
      SEEDS_BIN: join(SEEDS, 'bin'),
      SEEDS_MIGRATIONS_DIR: join(SEEDS, 'migrations'),
      ...kindsEnv,
    };
    return {
      env, dir, startMs: Date.now() - startedAt,
      /** When each service was up, in ms from the start (they start together). */
      timingsMs,
      /** SQL as the superuser on the primary (tests: prove a dry run left the server as it was). */
      sql: (text) => sqlAsSuperuser(postgres.primary, text),
      kubernetes: { healthy: kube, broken: kubeBroken, rollback: kubeRollback },
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const dash = process.argv.indexOf('--');
  const command = dash >= 0 ? process.argv.slice(dash + 1) : [];
  // A signal during start-up waits for the start to finish, then tears down: nothing is left running.
  let fixture;
  let stopping = false;
  const finish = async (code) => {
    if (stopping) return;
    stopping = true;
    while (!fixture) await new Promise((r) => setTimeout(r, 100));
    await fixture.stop();
    process.exit(code);
  };
  process.on('SIGINT', () => finish(130));
  process.on('SIGTERM', () => finish(143));
  try {
    fixture = await startFixtureEnv();
  } catch (error) {
    // startFixtureEnv tore down what had started: say what failed, without a stack trace.
    process.stderr.write(`fixture environment: ${error.message}\n`);
    process.exit(1);
  }
  if (stopping) await new Promise(() => {});
  if (command.length === 0) {
    process.stdout.write(`${JSON.stringify({ startMs: fixture.startMs, env: fixture.env })}\n`);
  } else {
    const child = spawn(command[0], command.slice(1), { stdio: 'inherit', env: { ...process.env, ...fixture.env } });
    child.on('exit', (code, signal) => finish(code ?? (signal ? 128 : 1)));
  }
}
