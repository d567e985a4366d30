import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { convertRunbook, mapItem, parseRunbook, RULES, type ConvertedRunbook } from '../../src/runbook/index.js';
import { item, RULE_CASES } from './rule-cases.js';

const RUNBOOKS = new URL('../../fixtures/runbooks/', import.meta.url);
const seeds = readdirSync(RUNBOOKS).filter((f) => f.endsWith('.md')).sort();
const read = (name: string) => readFileSync(new URL(name, RUNBOOKS), 'utf8');


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

/** Every node of a playbook, wherever it stands (triggers aside). */
function everyNodeOf(playbook: any): any[] {
  return [...(playbook.gates ?? []), ...(playbook.stages ?? []).flatMap((s: any) => [...(s.steps ?? []), ...(s.verify ?? [])]), ...(playbook.rollback?.steps ?? []), ...(playbook.rollback?.verify ?? [])];
}

/** The nodes made from checklist items: the ids the converter reports; the rest came from procedure blocks. */
function nodesOf(playbook: any, converted: ConvertedRunbook): any[] {
  const ids = new Set(Object.keys(converted.kinds));
  return everyNodeOf(playbook).filter((n) => ids.has(n.id));
}

/** How many nodes the procedure blocks made. */
const procedureCount = (c: ConvertedRunbook) => c.procedure.steps + c.procedure.rollbackSteps + c.procedure.verify;

describe('each mapping rule', () => {
  // One row per rule in RULES: the text that triggers it and the node it makes.
  const cases = RULE_CASES;

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

  it('words that only look like a rule\'s are left to a person or to another rule', () => {
    const lookalikes: Array<[string, string]> = [
      ['Analyze the error budget with the team', 'statistics analyzed'],
      ['Kafka topics partitioned by tenant', 'partitioning'],
      ['Grafana dashboards are deployed', 'workload rolled out'],
      ['Vulnerability disclosure policy published', 'vulnerability scan'],
      ['Set `image.tag=v1.2.3` in the values file', 'kernel parameters'],
      ['Etcd backups taken nightly', 'etcd health'],
    ];
    for (const [text, rule] of lookalikes) expect(mapItem(item(text)).rule, text).not.toBe(rule);
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
    // The two numbered items, then the fenced block under the same heading (a procedure step: its line is prose, so a person runs it).
    expect(playbook.stages[0].steps.map((s: any) => s.uses)).toEqual(['exec', 'approval', 'approval']);
    expect(playbook.stages[0].steps[2]).toMatchObject({ title: 'not an item: a comment in a fence', with: { prompt: 'not an item: a comment in a fence (run: 1. neither is this)' } });
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
    const nodes = nodesOf(parse(converted.yaml), converted);
    expect(nodes).toHaveLength(expected);
    expect(new Set(nodes.map((n) => n.id)).size).toBe(expected);
    // Nothing else stands in the playbook but what the procedure blocks made, each counted once.
    const every = everyNodeOf(parse(converted.yaml));
    expect(every).toHaveLength(expected + procedureCount(converted));
    expect(new Set(every.map((n) => n.id)).size).toBe(every.length);
    expect(converted.yaml.match(/# from line \d+/g)!.length).toBeGreaterThanOrEqual(expected);
  });

  const kindOf = (name: string, title: string) => {
    const converted = convertRunbook(read(name));
    return nodesOf(parse(converted.yaml), converted).find((n) => n.title.startsWith(title));
  };

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

  it.each(seeds)('%s: at least a third of the checklist items are machine checks', (name) => {
    const converted = convertRunbook(read(name), { source: name });
    expect(converted.automated / converted.items).toBeGreaterThanOrEqual(1 / 3);
    // Counted as the YAML shows them: a node that is not an approval is a machine check.
    const nodes = nodesOf(parse(converted.yaml), converted);
    expect(nodes.filter((n) => n.uses !== 'approval')).toHaveLength(converted.automated);
  });

  it('the rollback triggers of the runbooks become triggers with for:', () => {
    const sprint = parse(convertRunbook(read(seeds[2]!)).yaml);
    expect(sprint.rollback.triggers.map((t: any) => [t.title, t.uses, t.expect, t.for])).toEqual([
      ['Error Rate > 5% for >5 minutes', 'prometheus.query', '<= 0.05', '5m'],
      ['Response Latency p95 > 2 seconds for >5 minutes', 'prometheus.query', '<= 2s', '5m'],
      ['Database Connection Errors > 10% for >5 minutes', 'prometheus.query', '<= 0.1', '5m'],
      ['Out-of-memory conditions detected', 'prometheus.query', '== 0', undefined],
      ['Unplanned failovers > 2 in 1 hour', 'prometheus.query', '<= 2', undefined],
      ['Critical security issue discovered', 'prometheus.query', '== 0', undefined],
    ]);
    const summit = parse(convertRunbook(read(seeds[3]!)).yaml);
    expect(summit.rollback.triggers.map((t: any) => [t.title, t.uses])).toEqual([['Any P0 alert', 'prometheus.alerts'], ['failure of a critical health check', 'prometheus.query'], ['corruption of data', 'prometheus.query']]);
    for (const name of [seeds[0]!, seeds[4]!]) expect(parse(convertRunbook(read(name)).yaml).rollback?.triggers).toBeUndefined();
  });

  it('a numbered procedure runs in order: each stage step needs the one before', () => {
    const summit = parse(convertRunbook(read(seeds[3]!)).yaml);
    const steps = summit.stages[0].steps;
    expect(steps[0].needs).toBeUndefined();
    for (let i = 1; i < steps.length; i++) expect(steps[i].needs).toEqual([steps[i - 1].id]);
  });

  it('of an item\'s commands the one that only looks is the check; a fenced block under an item is its command', () => {
    const nova = parse(convertRunbook(read(seeds[1]!)).yaml);
    expect(kindOf(seeds[1]!, 'Staging health')).toMatchObject({ uses: 'exec', with: { command: ['pnpm', 'drill:check:staging'] } });
    const apply = nova.stages.flatMap((s: any) => s.steps).find((s: any) => s.title === 'From infra/terraform');
    expect(apply).toMatchObject({ uses: 'exec', with: { shell: true, cwd: 'infra/terraform', command: ['terraform init && terraform plan -var-file=envs/production.tfvars && terraform apply -var-file=envs/production.tfvars'] } });
    expect(kindOf(seeds[1]!, 'API probes')).toMatchObject({ uses: 'http', with: { url: 'https://api.prod.example.com/v1/health' } });
    // A port-forward never ends and localhost is only reachable through it: left to a person.
    expect(kindOf(seeds[1]!, 'Worker')).toMatchObject({ uses: 'approval' });
  });

  it('the rollback sections become rollback steps', () => {
    const summit = parse(convertRunbook(read(seeds[3]!)).yaml);
    expect(summit.rollback.steps.map((s: any) => s.title)).toEqual(['Re-enable maintenance mode.', 'Roll back application deployments to the previous version.', 'Execute database migration rollback scripts.', 'Verify system stability on the previous version.', 'Disable maintenance mode.']);
  });
});
