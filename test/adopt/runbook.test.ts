import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { convertRunbook, mapItem, parseRunbook, RULES } from '../../src/runbook/index.js';
import type { RunbookItem } from '../../src/runbook/index.js';

const RUNBOOKS = new URL('../../fixtures/runbooks/', import.meta.url);
const seeds = readdirSync(RUNBOOKS).filter((f) => f.endsWith('.md')).sort();
const read = (name: string) => readFileSync(new URL(name, RUNBOOKS), 'utf8');

const item = (text: string, headings: string[] = ['Checklist'], detail = ''): RunbookItem => ({ line: 1, text, detail, headings, numbered: false, indent: 0 });

/** Checklist items as a reader counts them: `- [ ]` and numbered lines outside fenced code. */
function countItems(markdown: string): number {
  let inFence = false;
  let count = 0;
  for (const line of markdown.split('\n')) {
    if (/^\s*(```|~~~)/.test(line)) inFence = !inFence;
    else if (!inFence && (/^\s*[-*+] \[[ xX]\]/.test(line) || /^\s*\d+[.)]\s+\S/.test(line))) count++;
  }
  return count;
}

/** Every node of a playbook, wherever it stands, in document order. */
function nodesOf(playbook: any): any[] {
  return [...(playbook.gates ?? []), ...(playbook.stages ?? []).flatMap((s: any) => s.steps ?? []), ...(playbook.rollback?.steps ?? [])];
}

describe('each mapping rule', () => {
  // One row per rule in RULES: the text that triggers it and the node it makes.
  const cases: Array<[rule: string, it: RunbookItem, uses: string, partial: Record<string, unknown>]> = [
    ['sign-off section', item('Database Team Lead', ['Approval Sign-off']), 'approval', { with: { role: 'Database Team Lead' } }],
    ['approval', item('Final "go" decision is given by the Incident Commander.'), 'approval', { with: { role: 'Incident Commander', prompt: 'Final "go" decision is given by the Incident Commander.' } }],
    ['replication lag', item('Replication lag monitored (<100ms)'), 'postgres.replication', { expect: '< 100ms', system: 'postgres' }],
    ['max connections', item('Max connections set to 500+ (cluster)'), 'postgres.setting', { with: { name: 'max_connections' }, expect: '>= 500' }],
    ['postgres setting', item('Query logging enabled for slow queries (`log_min_duration_statement=1000`)'), 'postgres.setting', { with: { name: 'log_min_duration_statement' }, expect: '== 1000ms' }],
    ['postgres version', item('PostgreSQL 15+ installed'), 'postgres.version', { expect: '>= 15.0' }],
    ['WAL archiving', item('WAL archiving enabled and tested'), 'postgres.archiving', {}],
    ['postgres extension', item('RuVector 2.0.0 extension loaded'), 'postgres.extension', { with: { name: 'ruvector' }, expect: '>= 2.0.0' }],
    ['Prometheus scrape targets', item('Prometheus scrape jobs configured'), 'prometheus.query', { with: { query: 'up' }, expect: '== 1' }],
    ['alerts quiet', item('Alertmanager quiet (no firing alerts).'), 'prometheus.alerts', {}],
    ['PromQL expression', item('Error ratio `sum(rate(http_requests_total{code=~"5.."}[5m]))` stays < 1%'), 'prometheus.query', { with: { query: 'sum(rate(http_requests_total{code=~"5.."}[5m]))' }, expect: '< 0.01' }],
    ['no :latest images', item('Push `:vX.Y.Z` and `:sha`; never deploy `:latest`.'), 'kubernetes.images', {}],
    ['PodDisruptionBudget', item('Pod Disruption Budget (PDB)'), 'kubernetes.pdb', { with: { name: '${vars.workload}' }, vars: ['workload'] }],
    ['HSTS header', item('Security headers configured (HSTS, CSP)'), 'http', { observe: 'header:Strict-Transport-Security', vars: ['api_url'] }],
    ['TLS certificate', item('SSL/TLS enabled (certificate valid, not self-signed)'), 'http', { observe: 'tlsDaysLeft', expect: '>= 14' }],
    ['URL', item('Health endpoint answers: https://api.example.com/v1/health.'), 'http', { with: { url: 'https://api.example.com/v1/health' } }],
    ['command', item('Automated smoke tests (`make smoke`) are run'), 'exec', { with: { command: ['make', 'smoke'] } }],
    ['backup or restore', item('Final pre-launch backup complete.'), 'backup.fresh', { with: { path: '${vars.backup_dir}/*', maxAge: '26h' } }],
  ];

  it('the table covers every rule', () => {
    expect(cases.map(([rule]) => rule).sort()).toEqual(RULES.map((r) => r.name).sort());
  });

  for (const [rule, input, uses, partial] of cases) {
    it(`${rule}: "${input.text}" → ${uses}`, () => {
      const mapped = mapItem(input);
      expect(mapped.rule).toBe(rule);
      expect(mapped.spec.uses).toBe(uses);
      expect(mapped.spec).toMatchObject(partial);
    });
  }

  it('text no rule understands is an approval sign-off with the item as its prompt', () => {
    const mapped = mapItem(item('Tailor Grafana dashboards per tenant'));
    expect(mapped).toMatchObject({ rule: 'sign-off', automated: false, spec: { uses: 'approval', with: { prompt: 'Tailor Grafana dashboards per tenant' } } });
  });

  it('words that only look like a command, a placeholder or a watch are not run', () => {
    for (const text of ['Mount `infra/k8s`', 'Undo with `kubectl rollout undo deploy/<name>`', 'Watch `kubectl -n prod get pods -w`', 'Job stuck in `RUNNING`']) {
      expect(mapItem(item(text)).spec.uses, text).not.toBe('exec');
    }
  });

  it('an item\'s own words win over the paragraph under it', () => {
    expect(mapItem(item('PostgreSQL 15+ installed', ['Checklist'], 'Alertmanager quiet')).spec.uses).toBe('postgres.version');
    expect(mapItem(item('Observability', ['Checklist'], 'Alertmanager quiet (no firing alerts).')).spec.uses).toBe('prometheus.alerts');
  });
});

describe('parsing and placement', () => {
  const DOC = `# Payments go-live

## Readiness
- [ ] Replication lag monitored (<100ms)
  - [ ] Nested item counts too
- [ ] Apply the manifests \`kubectl apply -f k8s/\`

## Cutover
1. Enable maintenance mode \`./bin/maintenance on\`
2. Sign off the cutover

\`\`\`bash
# 1. not an item: a comment in a fence
1. neither is this
\`\`\`

## Rollback Plan
1. Undo \`kubectl rollout undo deployment/api\`
`;

  it('every item outside fenced code is one node, with the line it came from', () => {
    const parsed = parseRunbook(DOC);
    expect(parsed.title).toBe('Payments go-live');
    expect(parsed.items.map((i) => i.line)).toEqual([4, 5, 6, 9, 10, 18]);
    const converted = convertRunbook(DOC);
    expect(converted.items).toBe(6);
    for (const line of [4, 5, 6, 9, 10, 18]) expect(converted.yaml).toContain(`# from line ${line}`);
  });

  it('checklists become gates, numbered procedures stage steps, rollback headings rollback steps', () => {
    const playbook = parse(convertRunbook(DOC).yaml);
    expect(playbook.gates.map((g: any) => g.uses)).toEqual(['postgres.replication', 'approval', 'approval']);
    expect(playbook.stages).toHaveLength(1);
    expect(playbook.stages[0].title).toBe('Cutover');
    expect(playbook.stages[0].steps.map((s: any) => s.uses)).toEqual(['exec', 'approval']);
    expect(playbook.rollback.steps[0]).toMatchObject({ uses: 'exec', with: { command: ['kubectl', 'rollout', 'undo', 'deployment/api'] } });
  });

  it('a command that changes something never stands as a gate: it is a sign-off naming the command', () => {
    const gate = parse(convertRunbook(DOC).yaml).gates[2];
    expect(gate.uses).toBe('approval');
    expect(gate.with.prompt).toContain('run: kubectl apply -f k8s/');
  });

  it('placeholders the rules use are declared, and text that looks like ${...} is not interpolated', () => {
    const converted = convertRunbook('# X\n- [ ] HSTS on\n- [ ] Set `${HOME}` right\n');
    const playbook = parse(converted.yaml);
    expect(playbook.environments.production.vars.api_url).toBeTypeOf('string');
    expect(converted.yaml).not.toContain('${HOME}');
  });
});

describe('the five seed runbooks', () => {
  it.each(seeds)('%s: every checklist item is exactly one node', (name) => {
    const markdown = read(name);
    const converted = convertRunbook(markdown, { source: name });
    const expected = countItems(markdown);
    expect(expected).toBeGreaterThan(10);
    expect(converted.items).toBe(expected);
    const nodes = nodesOf(parse(converted.yaml));
    expect(nodes).toHaveLength(expected);
    expect(new Set(nodes.map((n) => n.id)).size).toBe(expected);
    expect(converted.yaml.match(/# from line \d+/g)!.length).toBeGreaterThanOrEqual(expected);
  });

  const kindOf = (name: string, title: string) => nodesOf(parse(convertRunbook(read(name)).yaml)).find((n) => n.title.startsWith(title));

  it('recognised items get the right kinds', () => {
    const [trackshift, nova, sprint, summit, roadmap] = seeds as [string, string, string, string, string];
    expect(kindOf(trackshift, 'Enable immudb/Postgres backups')).toMatchObject({ uses: 'backup.fresh' });
    expect(kindOf(nova, 'Tag the release')).toMatchObject({ uses: 'exec', with: { command: ['pnpm', 'release'] } });
    expect(kindOf(nova, 'Observability')).toMatchObject({ uses: 'prometheus.alerts' });
    expect(kindOf(nova, 'Synthetic flows')).toMatchObject({ uses: 'exec', with: { command: ['pnpm', 'test:e2e', '--project=chromium'] } });
    expect(kindOf(sprint, 'Replication lag monitored')).toMatchObject({ uses: 'postgres.replication', expect: '< 100ms' });
    expect(kindOf(sprint, 'Max connections set to 500+')).toMatchObject({ uses: 'postgres.setting', with: { name: 'max_connections' }, expect: '>= 500' });
    expect(kindOf(sprint, 'Audit logging enabled')).toMatchObject({ uses: 'postgres.setting', with: { name: 'log_connections' }, expect: '== on' });
    expect(kindOf(sprint, 'PostgreSQL 15+ installed')).toMatchObject({ uses: 'postgres.version', expect: '>= 15.0' });
    expect(kindOf(sprint, 'Security headers configured')).toMatchObject({ uses: 'http', observe: 'header:Strict-Transport-Security' });
    expect(kindOf(sprint, 'Operations Manager')).toMatchObject({ uses: 'approval', with: { role: 'Operations Manager' } });
    expect(kindOf(summit, 'Final "go" decision')).toMatchObject({ uses: 'approval', with: { role: 'Incident Commander' } });
    expect(kindOf(summit, 'Final pre-launch backup complete')).toMatchObject({ uses: 'backup.fresh' });
    expect(kindOf(summit, 'Initial Validation')).toMatchObject({ uses: 'exec', with: { command: ['make', 'smoke'] } });
    expect(kindOf(roadmap, 'Pod Disruption Budget')).toMatchObject({ uses: 'kubernetes.pdb' });
    expect(kindOf(roadmap, 'Image versioning')).toMatchObject({ uses: 'kubernetes.images' });
  });

  it('the rollback sections become rollback steps', () => {
    const summit = parse(convertRunbook(read(seeds[3]!)).yaml);
    expect(summit.rollback.steps.map((s: any) => s.title)).toEqual(['Re-enable maintenance mode.', 'Roll back application deployments to the previous version.', 'Execute database migration rollback scripts.', 'Verify system stability on the previous version.', 'Disable maintenance mode.']);
  });
});
