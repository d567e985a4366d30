import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { convertRunbook } from '../../src/runbook/index.js';
import type { CodeBlock } from '../../src/runbook/parse.js';
import { argvOf, BLOCK_PLACES, commandsOnlyLook, PROCEDURE_RULES, splitBlock, type ProcedureStep } from '../../src/runbook/procedure.js';
import { openPlaybook } from '../../src/session/index.js';
import { rollout } from '../helpers/cli.js';

const RUNBOOKS = fileURLToPath(new URL('../../fixtures/runbooks/', import.meta.url));
const seeds = readdirSync(RUNBOOKS).filter((f) => f.endsWith('.md')).sort();
const fence = '```';

const DOC = `# Payments cutover

## Checklist
- [ ] Security headers configured (HSTS)

## Cutover Procedure

### Phase 1: Prepare (30 minutes, before the window)

${fence}bash
# 1. Snapshot the database
./bin/snapshot --tag pre

# 2. Apply migrations
./bin/migrate up
./bin/migrate status | grep -q clean

# 3. Announce
# - post in the release channel
${fence}

### Phase 2: Verification

${fence}sh
# 1. Health
curl -fsS https://api.example.com/health

# 2. Warm caches
./bin/warm --all
${fence}

## Rollback

### Manual Rollback Procedure

${fence}bash
# 1. Restore snapshot
./bin/restore --tag pre

# 2. Check it
if ! ./bin/verify-snapshot.sh; then
  exit 1
fi
${fence}

### Data Check Post-Rollback

${fence}bash
# Row count
psql -c "SELECT count(*) FROM orders"

# Writes work
psql -c "INSERT INTO t VALUES (1)"
${fence}
`;

const step = (commands: string[], title = 'Do it', notes: string[] = []): ProcedureStep => ({ line: 1, title, commands, notes, headings: ['Cutover'] });
const block = (headings: string[], lines: string[], language = 'bash'): CodeBlock => ({ line: 1, language, headings, lines: lines.map((text, i) => ({ line: i + 2, text })) });
const ruleOf = (s: ProcedureStep) => PROCEDURE_RULES.find((r) => r.apply(s))!.name;
const placeOf = (headings: string[]) => BLOCK_PLACES.find((p) => p.place(headings))?.name;

async function validates(yaml: string): Promise<unknown[]> {
  const file = join(mkdtempSync(join(tmpdir(), 'rollout-procedure-')), 'rollout.yaml');
  writeFileSync(file, yaml);
  const opened = await openPlaybook(file);
  return opened.ok ? [] : opened.problems;
}

describe('fenced shell blocks of a procedure', () => {
  const converted = convertRunbook(DOC);
  const playbook = parse(converted.yaml);

  it('each phase is a stage: its # N. comments are steps in order, argv unless a shell is needed, mutating unless they only look', () => {
    expect(playbook.stages.map((s: any) => [s.id, s.title])).toEqual([['phase-1-prepare', 'Phase 1: Prepare'], ['phase-2-verification', 'Phase 2: Verification']]);
    expect(converted.yaml).toContain('- id: phase-1-prepare  # from line 11; (30 minutes, before the window)');
    expect(playbook.stages[0].steps).toEqual([
      { id: 'snapshot-the-database', title: 'Snapshot the database', uses: 'exec', with: { command: ['./bin/snapshot', '--tag', 'pre'] }, mutates: true },
      { id: 'apply-migrations', title: 'Apply migrations', uses: 'exec', with: { command: ['./bin/migrate up && ./bin/migrate status | grep -q clean'], shell: true }, mutates: true, needs: ['snapshot-the-database'] },
      { id: 'announce', title: 'Announce', uses: 'approval', with: { role: 'Release owner', prompt: 'Announce: post in the release channel' }, needs: ['apply-migrations'] },
    ]);
    // A step that is only words cannot pass until someone signs it: it says so.
    expect(converted.yaml).toMatch(/- id: announce {2}# from line 18; TODO: automate/);
  });

  it('a verification phase checks with what only looks (verify:) and keeps what changes something as a step', () => {
    expect(playbook.stages[1].steps).toEqual([{ id: 'warm-caches', title: 'Warm caches', uses: 'exec', with: { command: ['./bin/warm', '--all'] }, mutates: true }]);
    expect(playbook.stages[1].verify).toEqual([{ id: 'health', title: 'Health', uses: 'exec', with: { command: ['curl', '-fsS', 'https://api.example.com/health'] } }]);
  });

  it('a rollback procedure block is rollback steps in order; a post-rollback check block is the rollback verify', () => {
    expect(playbook.rollback.steps).toEqual([
      { id: 'restore-snapshot', title: 'Restore snapshot', uses: 'exec', with: { command: ['./bin/restore', '--tag', 'pre'] }, mutates: true },
      { id: 'check-it', title: 'Check it', uses: 'exec', with: { command: ['set -e\nif ! ./bin/verify-snapshot.sh; then\nexit 1\nfi'], shell: true }, mutates: false, needs: ['restore-snapshot'] },
    ]);
    // A check that writes stays a check, and says it mutates: a dry run never executes it.
    expect(playbook.rollback.verify).toEqual([
      { id: 'row-count', title: 'Row count', uses: 'exec', with: { command: ['psql', '-c', 'SELECT count(*) FROM orders'] } },
      { id: 'writes-work', title: 'Writes work', uses: 'exec', with: { command: ['psql', '-c', 'INSERT INTO t VALUES (1)'] }, mutates: true },
    ]);
  });

  it('the procedure is counted apart from the checklist items, and the playbook validates', async () => {
    expect(converted.items).toBe(1);
    expect(converted.automated).toBe(1);
    expect(converted.procedure).toEqual({ steps: 4, stages: 2, rollbackSteps: 2, verify: 3 });
    expect(converted.yaml.split('\n')[0]).toContain('; 4 procedure steps in 2 stages, 2 rollback steps, 3 verify checks.');
    expect(await validates(converted.yaml)).toEqual([]);
  });

  it('numbered items and a block under one heading are one stage, each step after the one before', () => {
    const playbook = parse(convertRunbook(`# X\n## Cutover\n1. Enable maintenance \`./bin/maintenance on\`\n\n${fence}bash\n# 1. Deploy\nkubectl apply -f k8s/\n${fence}\n`).yaml);
    expect(playbook.stages).toHaveLength(1);
    expect(playbook.stages[0].steps.map((s: any) => [s.title, s.needs])).toEqual([['Enable maintenance ./bin/maintenance on', undefined], ['Deploy', ['enable-maintenance-bin-maintenance-on']]]);
  });

  it('blocks that are not a procedure stay out: no procedure heading, not a shell, only notes', () => {
    for (const doc of [
      `# X\n## Local setup\n${fence}bash\n# 1. Install\nnpm ci\n${fence}\n`,
      `# X\n## Deploy\n${fence}yaml\nreplicas: 3\n${fence}\n`,
      `# X\n## Post-Deployment Monitoring\n### Week 1\n${fence}bash\n# Day 1: Baseline established\n# Day 2: Load testing\n${fence}\n`,
    ]) {
      const converted = convertRunbook(doc);
      expect(converted.procedure, doc).toEqual({ steps: 0, stages: 0, rollbackSteps: 0, verify: 0 });
      expect(parse(converted.yaml).stages, doc).toBeUndefined();
    }
  });
});

describe('where a block goes (BLOCK_PLACES)', () => {
  const cases: Array<[string, string[]]> = [
    ['rollback check', ['Rollback Plan', 'Data Consistency Check Post-Rollback']],
    ['rollback procedure', ['Rollback Plan', 'Manual Rollback Procedure (< 30 minutes)']],
    ['verification phase', ['Migration Procedure', 'Phase 3: Verification (1 hour)']],
    ['procedure phase', ['Migration Procedure', 'Phase 1: Pre-Migration (2 days)']],
  ];
  it('every place has a case', () => expect(cases.map(([name]) => name)).toEqual(BLOCK_PLACES.map((p) => p.name)));
  it.each(cases)('%s: %j', (name, headings) => expect(placeOf(headings)).toBe(name));
  it('a heading that names no procedure places nothing', () => expect(placeOf(['Local setup'])).toBeUndefined());
});

describe('what a step becomes (PROCEDURE_RULES)', () => {
  const cases: Array<[string, ProcedureStep, object]> = [
    ['command to fill in', step(['kubectl rollout undo deploy/<name>']), { uses: 'approval', with: { prompt: 'Do it (run: kubectl rollout undo deploy/<name>)' } }],
    ['comment only', step([], 'Notify stakeholders', ['Send the notice']), { uses: 'approval', with: { role: 'Release owner', prompt: 'Notify stakeholders: Send the notice' } }],
    ['one command', step(['docker stack rm app']), { uses: 'exec', with: { command: ['docker', 'stack', 'rm', 'app'] }, mutates: true }],
    ['shell script', step(['pg_dump app > /backups/app.sql']), { uses: 'exec', with: { command: ['pg_dump app > /backups/app.sql'], shell: true }, mutates: true }],
  ];
  it('every rule has a case', () => expect(cases.map(([name]) => name)).toEqual(PROCEDURE_RULES.map((r) => r.name)));
  for (const [name, input, partial] of cases) {
    it(`${name}: ${JSON.stringify(input.commands)}`, () => {
      expect(ruleOf(input)).toBe(name);
      expect(PROCEDURE_RULES.find((r) => r.name === name)!.apply(input)).toMatchObject(partial);
    });
  }

  it('a placeholder, a shell ${variable} or a command that never ends is never run: a person writes the real one', () => {
    for (const command of ['kubectl logs -f deploy/api', 'kubectl get pods -w', 'echo ${HOME}', './deploy.sh ...', '1. neither is this', 'Note: run it twice']) expect(ruleOf(step([command])), command).toBe('command to fill in');
  });

  it('one command with no shell syntax is argv; pipes, redirects, &&, variables, globs and builtins need a shell', () => {
    expect(argvOf(`psql -U app -c "SELECT 1;" --set=x='a b'`)).toEqual(['psql', '-U', 'app', '-c', 'SELECT 1;', '--set=x=a b']);
    for (const line of ['a | b', 'a > f', 'a && b', 'echo $HOME', 'echo "$HOME"', 'ls *.sql', 'cd /srv', 'export A=1', 'A=1 ./run', 'echo `date`', './run # note']) expect(argvOf(line), line).toBeUndefined();
  });

  it('several lines are one script: `a && b`, or `set -e` and the lines when they hold an if block or a comment; a shebang is left out', () => {
    expect(PROCEDURE_RULES.at(-1)!.apply(step(['./a', './b']))).toMatchObject({ with: { command: ['./a && ./b'] } });
    expect(PROCEDURE_RULES.at(-1)!.apply(step(['./a', 'if [ $? -ne 0 ]; then', 'exit 1', 'fi']))).toMatchObject({ with: { command: ['set -e\n./a\nif [ $? -ne 0 ]; then\nexit 1\nfi'] } });
    // `./a # note && ./b` would never run ./b.
    expect(PROCEDURE_RULES.at(-1)!.apply(step(['./a # note', './b']))).toMatchObject({ with: { command: ['set -e\n./a # note\n./b'] } });
    expect(splitBlock(block(['Deploy'], ['#!/usr/bin/env bash', '# 1. Go', './a', './b'])).map((s) => [s.title, s.commands])).toEqual([['Go', ['./a', './b']]]);
  });

  it('mutates: false only when every command plainly only looks', () => {
    const looks = ['kubectl get pods -n prod', 'patronictl list', 'psql -c "SELECT count(*) FROM t"', 'curl -fsS https://x.example.com', './scripts/db_health_check.py', 'pytest tests/ -v', 'docker service ps app', './check.sh 2>&1', 'aws rds describe-db-instances'];
    const changes = ['kubectl delete pod x', 'psql -c "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"', 'psql -c "SELECT pg_reload_conf();"', 'psql -f fix.sql', 'curl -X POST https://x.example.com', 'curl -o out https://x.example.com',
      './scripts/backup/backup-manager.sh --snapshot x', './scripts/restore-check.sh', 'cat a > b', 'echo $(./mutate)', 'frobnicate --all', 'docker service update app --replicas 0'];
    for (const command of looks) expect(commandsOnlyLook([command]), command).toBe(true);
    for (const command of changes) expect(commandsOnlyLook([command]), command).toBe(false);
    expect(commandsOnlyLook([])).toBe(false);
  });

  it('splits unnumbered blocks at each comment that follows commands; commands before any comment take the heading', () => {
    expect(splitBlock(block(['Deploy (T-0)'], ['./a', '# Second', '# more words', './b', './c'])).map((s) => [s.title, s.commands, s.notes])).toEqual([['Deploy', ['./a'], []], ['Second', ['./b', './c'], ['more words']]]);
    expect(splitBlock(block(['Deploy'], ['# 1. One', '# why', 'kubectl apply \\', '  -f k8s/', '# 2. Two', './b'])).map((s) => [s.title, s.commands, s.notes])).toEqual([['One', ['kubectl apply -f k8s/'], ['why']], ['Two', ['./b'], []]]);
  });
});

describe('seed 002 (Migration Procedure and Rollback Plan)', () => {
  const name = seeds.find((s) => s.startsWith('002_'))!;
  const converted = convertRunbook(readFileSync(join(RUNBOOKS, name), 'utf8'), { source: name });
  const playbook = parse(converted.yaml);

  it('three phases are three stages with the phase\'s steps in order, each after the one before', () => {
    expect(playbook.stages.map((s: any) => s.id)).toEqual(['phase-1-pre-migration', 'phase-2-infrastructure-migration', 'phase-3-verification']);
    expect(converted.yaml).toContain('- id: phase-2-infrastructure-migration  # from line 133; (4 hours, maintenance window)');
    const titles = playbook.stages.map((s: any) => s.steps.map((n: any) => n.title));
    expect(titles[0]).toEqual(['Create production snapshot', 'Validate backup integrity', 'Test restore on staging', 'Run readiness check (must pass)', 'Notify stakeholders']);
    expect(titles[1]).toEqual(['Stop write traffic (enable read-only mode)', 'Final backup', 'Drain connections', 'Stop application servers', 'Deploy new infrastructure', 'Run post-deployment validation', 'Enable write traffic', 'Restore application servers']);
    expect(titles[2]).toEqual(['Performance baseline']);
    expect(playbook.stages[2].verify.map((n: any) => n.title)).toEqual(['Health check suite', 'Smoke tests', 'Monitor metrics (watch for 30 min)']);
    for (const stage of playbook.stages) stage.steps.forEach((s: any, i: number) => expect(s.needs).toEqual(i ? [stage.steps[i - 1].id] : undefined));
  });

  it('the commands that change the database mutate and run as argv where no shell is needed; words are sign-offs', () => {
    const steps = Object.fromEntries(playbook.stages.flatMap((s: any) => s.steps).map((s: any) => [s.title, s]));
    expect(steps['Create production snapshot']).toMatchObject({ uses: 'exec', with: { command: ['./scripts/backup/backup-manager.sh', '--snapshot', 'production-pre-rollout'] }, mutates: true });
    expect(steps['Drain connections']).toMatchObject({ uses: 'exec', mutates: true, with: { command: ['psql', '-U', 'dpg_cluster', '-d', 'distributed_postgres_cluster', '-c', expect.stringContaining('pg_terminate_backend')] } });
    expect(steps['Stop write traffic (enable read-only mode)']).toMatchObject({ with: { shell: true }, mutates: true });
    expect(steps['Validate backup integrity']).toMatchObject({ mutates: false });
    expect(steps['Notify stakeholders']).toMatchObject({ uses: 'approval', with: { prompt: 'Notify stakeholders: Send migration window notice; Confirm maintenance window locked' } });
  });

  it('the manual rollback procedure is the rollback steps; the post-rollback data check is the rollback verify', () => {
    expect(playbook.rollback.steps.map((s: any) => s.title)).toEqual(['Stop current stack', 'Restore from pre-migration snapshot', 'Restart application servers', 'Validate restore', 'Resume traffic', 'Notify stakeholders']);
    expect(playbook.rollback.steps[1]).toMatchObject({ with: { command: ['./scripts/backup/restore-manager.sh', '--snapshot', 'production-final-pre-migration', '--target', 'production'] }, mutates: true, needs: ['stop-current-stack'] });
    expect(playbook.rollback.verify.map((s: any) => [s.title, s.mutates])).toEqual([['Verify no data loss', undefined], ['Verify replication is healthy', undefined], ['Confirm write operations working', true]]);
    expect(playbook.rollback.triggers).toHaveLength(6);
  });

  it('the CLI summary counts the procedure apart, and the written playbook validates', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'rollout-procedure-'));
    const imported = await rollout(['import', 'checklist', join(RUNBOOKS, name), '--write', 'rollout.yaml'], { cwd: dir });
    expect(imported.exitCode, imported.stderr).toBe(0);
    expect(imported.stderr).toContain('82 checklist items → 45 automated checks, 37 sign-offs (approval), 6 rollback triggers; 14 procedure steps in 3 stages, 6 rollback steps, 6 verify checks; written to rollout.yaml');
    const valid = await rollout(['validate', '-p', 'rollout.yaml'], { cwd: dir });
    expect(valid.exitCode, valid.stderr).toBe(0);
    expect(valid.stdout).toContain('114 nodes (82 gates, 3 stages, 6 triggers)');
  });
});

describe('every seed, imported with its procedures', () => {
  it.each(seeds)('%s validates', async (name) => {
    expect(await validates(convertRunbook(readFileSync(join(RUNBOOKS, name), 'utf8'), { source: name }).yaml)).toEqual([]);
  });
});
