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
    ['branch protection', item('Lock main branch; only hotfix PRs allowed (requires incident commander approval).'), 'http', { with: { url: 'https://api.github.com/repos/${vars.github_repo}/branches/main/protection', headers: { Authorization: 'Bearer ${secret:GITHUB_TOKEN}' } }, vars: ['github_repo'], secrets: ['GITHUB_TOKEN'] }],
    ['postgres TLS required', item('SSL enforced (`sslmode=require`)'), 'postgres.query', { with: { sql: "SELECT count(*) FROM pg_hba_file_rules WHERE type = 'host'" }, expect: '== 0' }],
    ['pg_hba restricted', item('`pg_hba.conf` restricted to production IPs'), 'postgres.query', { expect: '== 0', system: 'postgres' }],
    ['replication slots', item('Replication slots configured'), 'postgres.query', { with: { sql: 'SELECT count(*) FROM pg_replication_slots' }, expect: '>= 1' }],
    ['logical decoding', item('Logical decoding configured'), 'postgres.setting', { with: { name: 'wal_level' }, expect: '== logical' }],
    ['statistics analyzed', item('Statistics updated (`ANALYZE`)'), 'postgres.query', { with: { sql: 'SELECT count(*) FROM pg_stat_user_tables WHERE last_analyze IS NULL AND last_autoanalyze IS NULL' }, expect: '== 0' }],
    ['tablespaces', item('Tablespaces created on separate disks'), 'postgres.query', { expect: '>= 1' }],
    ['partitioning', item('Partitioning strategy applied (time-series tables)'), 'postgres.query', { with: { sql: 'SELECT count(*) FROM pg_partitioned_table' }, expect: '>= 1' }],
    ['foreign keys validated', item('Foreign keys validated'), 'postgres.query', { with: { sql: "SELECT count(*) FROM pg_constraint WHERE contype = 'f' AND NOT convalidated" }, expect: '== 0' }],
    ['database superusers', item('Database user roles minimized (principle of least privilege)'), 'postgres.query', { with: { sql: 'SELECT count(*) FROM pg_roles WHERE rolsuper AND rolcanlogin' }, expect: '<= 1' }],
    ['password hashing', item('Password hashing upgraded (scrypt/bcrypt, not MD5)'), 'postgres.setting', { with: { name: 'password_encryption' }, expect: '== scram-sha-256' }],
    ['database cache hit ratio', item('Cache hit ratios above 90%'), 'postgres.query', { expect: '> 0.9' }],
    ['PgBouncer', item('Connection pooling configured (PgBouncer/PgPool)'), 'pgbouncer.pools', { with: { url: '${vars.pgbouncer_url}', password: '${secret:PGBOUNCER_PASSWORD}' }, secrets: ['PGBOUNCER_PASSWORD'] }],
    ['Patroni cluster', item('Patroni cluster initialized (3 nodes minimum)'), 'postgres.replication', { observe: 'standbys', expect: '>= 2' }],
    ['etcd health', item('Etcd cluster healthy (3+ nodes)'), 'etcd.health', { with: { endpoints: ['${vars.etcd_url}'] }, vars: ['etcd_url'] }],
    ['migrations applied', item('`postgres` migrations are applied.'), 'postgres.migrations', { with: { directory: '${vars.migrations_dir}' } }],
    ['alerting rules', item('Alerting rules defined (critical/warning/info)'), 'prometheus.rules', { with: { severities: ['critical', 'warning', 'info'] } }],
    ['Alertmanager receivers', item('AlertManager notification channels tested (email, Slack, PagerDuty)'), 'alertmanager.receivers', { with: { receivers: ['email', 'slack', 'pagerduty'] }, system: 'alertmanager' }],
    ['observability pipeline up', item('Log aggregation running (ELK/Loki)'), 'prometheus.query', { with: { query: 'up{job=~".*(loki|elasticsearch).*"}' }, expect: '== 1' }],
    ['clock sync', item('NTP synchronized across all nodes'), 'prometheus.query', { with: { query: 'min(node_timex_sync_status)' }, expect: '== 1' }],
    ['node resource usage', item('Disk I/O under 70% saturation'), 'prometheus.query', { with: { query: 'max(rate(node_disk_io_time_seconds_total[5m]))' }, expect: '< 0.7' }],
    ['latency percentile', item('Vector search performance <50ms (p95)'), 'prometheus.query', { with: { query: 'histogram_quantile(0.95, sum by (le) (rate(http_request_duration_seconds_bucket{job="${vars.job}"}[5m])))', unit: 'seconds' }, expect: '< 50ms', vars: ['job'] }],
    ['cert-manager certificate', item('Ingress TLS: cert-manager + Let\'s Encrypt; redirect HTTP→HTTPS.'), 'kubernetes.condition', { with: { apiVersion: 'cert-manager.io/v1', kind: 'Certificate', name: '${vars.certificate}' } }],
    ['Argo CD application synced', item('GitOps split with Argo CD'), 'kubernetes.condition', { with: { kind: 'Application', field: 'status.sync.status' }, expect: '== Synced' }],
    ['Argo Rollouts', item('Progressive delivery: Canary or blue/green (Argo Rollouts), with metric gates'), 'kubernetes.exists', { with: { apiVersion: 'argoproj.io/v1alpha1', kind: 'Rollout', name: '${vars.workload}' } }],
    ['network policies', item('Baseline NetworkPolicies (default-deny + allowlist)'), 'kubernetes.network-policy', { system: 'kubernetes' }],
    ['cluster ready', item('Stand up a dedicated Kubernetes cluster (Prod-like) using `infra/k8s`.'), 'kubernetes.exists', { with: { apiVersion: 'v1', kind: 'Namespace', name: '${vars.namespace}' } }],
    ['secret exists', item('Ensure production secrets exist (`kubectl apply -f infra/k8s/secrets/production-secrets.yaml`)'), 'kubernetes.exists', { with: { kind: 'Secret', name: '${vars.secret_name}' } }],
    ['roll back deployment', item('Roll back application deployments to the previous version.', ['Rollback Plan']), 'kubernetes.rollout-undo', { with: { name: '${vars.workload}' }, changes: true }],
    ['workload rolled out', item('`prov-ledger` is deployed and health checks are verified.'), 'kubernetes.rollout', { with: { name: 'prov-ledger' } }],
    ['pods ready', item('For each deployment, confirm readiness probes succeed (`kubectl -n nova-prod describe pod ...`).'), 'kubernetes.pods', { with: { selector: '${vars.selector}', namespace: 'nova-prod' } }],
    ['probes configured', item('Readiness strategy: Deep readiness probe that degrades when critical deps are impaired'), 'kubernetes.workload-hygiene', { with: { name: '${vars.workload}', rules: ['readiness-probe'] } }],
    ['tool version', item('Docker Compose 2.0+ with override files'), 'exec', { with: { command: ['docker', 'compose', 'version', '--short'] }, observe: 'stdout', expect: '>= 2.0.0' }],
    ['docker swarm', item('Docker Swarm initialized (3+ nodes for HA)'), 'exec', { with: { command: ['docker', 'info', '--format', '{{.Swarm.Nodes}}'] }, observe: 'stdout', expect: '>= 3' }],
    ['DNS records', item('DNS records updated (CNAME, A records)'), 'dns', { with: { name: '${vars.api_host}', type: 'CNAME' }, expect: '== ${vars.dns_target}' }],
    ['firewall ports', item('Firewall rules configured (5432, 9200, 3000, 8080)'), 'tcp', { with: { host: '${vars.host}', port: '${matrix.port}' }, matrix: { port: [5432, 9200, 3000, 8080] } }],
    ['kernel parameters', item('Kernel parameters tuned (`vm.swappiness=10`, `net.core.somaxconn=65535`)'), 'exec', { with: { command: ['sysctl', '-n', 'vm.swappiness', 'net.core.somaxconn'] }, observe: 'stdout', expect: '=~ /^10\\s+65535$/' }],
    ['open files limit', item('File descriptors increased (`ulimit -n 65536`)'), 'exec', { with: { command: ['ulimit -n'], shell: true }, observe: 'stdout', expect: '>= 65536' }],
    ['mandatory access control', item('SELinux/AppArmor policies applied'), 'exec', { with: { command: ['getenforce'] }, observe: 'stdout', expect: '== Enforcing' }],
    ['SSH password login off', item('SSH hardened (no password, key-only, fail2ban)'), 'file', { with: { path: '/etc/ssh/sshd_config' }, observe: 'contains' }],
    ['vulnerability scan', item('Container image scans run and no new critical vulnerabilities found.'), 'exec', { with: { command: ['trivy', 'image', '--exit-code', '1', '--severity', 'CRITICAL', '${vars.image}'] }, vars: ['image'] }],
    ['SBOM', item('SBOM (Software Bill of Materials) has been generated.'), 'file', { with: { path: '${vars.sbom_path}' } }],
    ['promotion gate', item('Pre-prod promotion gate'), 'evidence.recent', { with: { command: 'check', env: '${vars.preprod_env}', latest: true } }],
    ['SSO in front', item('Roll out UI dashboards to SOC/operations teams with SSO (Keycloak/OIDC).'), 'http', { with: { url: '${vars.ui_url}' }, expect: 'in [301, 302, 303, 307, 308, 401, 403]' }],
    ['fenced commands', { ...item('From `infra/terraform`', ['Apply']), code: ['terraform init', 'terraform plan \\', '  -var-file=envs/production.tfvars'] }, 'exec', { with: { command: ['terraform init && terraform plan -var-file=envs/production.tfvars'], shell: true, cwd: 'infra/terraform' } }],
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

  it.each(seeds)('%s: at least a third of the checklist items are machine checks', (name) => {
    const converted = convertRunbook(read(name), { source: name });
    expect(converted.automated / converted.items).toBeGreaterThanOrEqual(1 / 3);
    // Counted as the YAML shows them: a node that is not an approval is a machine check.
    const nodes = nodesOf(parse(converted.yaml));
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
