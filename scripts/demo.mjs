#!/usr/bin/env node
// `npm run demo`: bring up the seed fixture environment on loopback (scripts/fixture-env.mjs:
// Kubernetes fixture API, Prometheus, PostgreSQL with standbys, backups, an HTTP service),
// run one seed playbook's readiness gates (DEMO_COMMAND=check, the default) or its whole
// cut-over (DEMO_COMMAND=promote: gates, stages, soaks) and then a rollback dry run against
// it, say where the evidence is, and tear everything down.
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { startFixtureEnv } from './fixture-env.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const cli = `${root}dist/bundle/rollout.js`;
const playbook = process.env.DEMO_PLAYBOOK ?? 'playbooks/distributed-postgres.yaml';
// Each seed's sign-offs for the demo environments, named after the playbook.
const APPROVALS = { 'distributed-postgres': 'dpg-cluster' };
const seedName = playbook.replace(/^.*\//, '').replace(/\.ya?ml$/, '');
const command = process.env.DEMO_COMMAND ?? 'check';
// promote also needs the stages' approvals, which `check` would refuse (it does not plan them).
const approvals = process.env.DEMO_APPROVALS ?? `fixtures/seeds/approvals/${APPROVALS[seedName] ?? seedName}${command === 'promote' ? '.promote' : ''}.yaml`;
const environment = process.env.DEMO_ENV ?? 'demo';
const evidenceDir = process.env.DEMO_EVIDENCE ?? 'evidence';

if (!['check', 'promote'].includes(command)) {
  console.error(`DEMO_COMMAND=${command}: expected check or promote`);
  process.exit(2);
}
if (!existsSync(cli)) {
  console.error('dist/ is missing: run `npm ci` (it builds) or `npm run build` first.');
  process.exit(2);
}

function rollout(args, env) {
  console.log(`\n$ rollout ${args.join(' ')}`);
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [cli, ...args], { cwd: root, env: { ...process.env, ...env }, stdio: 'inherit' });
    child.on('exit', (code) => resolve(code ?? 1));
  });
}

console.log('starting the fixture environment (Kubernetes API, Prometheus, PostgreSQL primary + standbys, backups, HTTP service)…');
// A Ctrl-C during start-up waits for the start to finish, then tears down: nothing is left running.
let fixture;
let stopped = false;
const stop = async () => {
  if (stopped) return;
  stopped = true;
  while (!fixture) await new Promise((r) => setTimeout(r, 100));
  await fixture.stop();
};
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => stop().then(() => process.exit(130)));
fixture = await startFixtureEnv();
if (stopped) await new Promise(() => {});
console.log(`ready in ${fixture.startMs} ms: Prometheus ${fixture.env.PROM_URL}, PostgreSQL :${fixture.env.PGPORT}, service ${fixture.env.SEEDS_HTTP_URL}`);

try {
  const common = ['-p', playbook, '--env', environment, '--evidence-dir', evidenceDir];
  // promote changes the fixture (the stand-ins in fixtures/seeds/bin/ record each change in $SEEDS_JOURNAL):
  // --yes confirms it, as a CI job would; the rollback dry run then shows what the promote captured.
  const checkCode = await rollout([command, ...common, '--approvals', approvals, ...(command === 'promote' ? ['--yes'] : [])], fixture.env);
  if (command === 'promote') console.log(`\nthe stand-ins' journal (what the cut-over changed):\n${readFileSync(fixture.env.SEEDS_JOURNAL, 'utf8') || '(nothing)\n'}`);
  const rollbackCode = await rollout(['rollback', ...common, '--dry-run'], fixture.env);
  console.log(`\ndemo: ${command} exited ${checkCode}, rollback --dry-run exited ${rollbackCode}; evidence in ${evidenceDir}/${environment}/ (rollout evidence verify ${evidenceDir})`);
  // Without a promote there are no captured values ("the row count before the migration"):
  // the dry run fails closed and names them (exit 3). That is the answer on-call should get.
  const rollbackExpected = rollbackCode === 0 || (command === 'check' && rollbackCode === 3);
  if (command === 'check' && rollbackCode === 3) console.log('rollback --dry-run exited 3 by design: it reads values a promote captures, and no promote has run here (DEMO_COMMAND=promote npm run demo runs the cut-over first).');
  if (environment === 'demo') console.log('to see the gates catch what the seed fears: DEMO_ENV=demo-broken npm run demo');
  // The evidence as pages: failures first, windows as charts, the chain's state.
  const siteDir = `${evidenceDir}-site`;
  await rollout(['evidence', 'html', evidenceDir, '--output', siteDir], fixture.env);
  console.log(`evidence site: ${siteDir}/index.html`);
  await stop();
  process.exit(checkCode === 0 && rollbackExpected ? 0 : 1);
} catch (error) {
  console.error(error);
  await stop();
  process.exit(1);
}
