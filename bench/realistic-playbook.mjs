// A realistic playbook of about N nodes, shaped like the seeds (../shared/seeds/): per service,
// Kubernetes rollout and pod gates, PostgreSQL settings and queries, Prometheus SLO queries,
// HTTP probes, file freshness, exec smoke tests, a cut-over stage and rollback triggers — with
// environments, vars, secrets, expect, needs, severity, timeouts and retries.

/** 15 nodes per service: 11 gates, a stage (1 gate reference, 2 steps, 1 verify), 1 trigger. */
export const NODES_PER_SERVICE = 15;

export function generatePlaybook(nodes) {
  const services = Math.max(1, Math.round(nodes / NODES_PER_SERVICE));
  const out = [];
  const push = (...lines) => out.push(...lines);
  push(
    'version: 1',
    'name: platform-go-live',
    'description: >',
    '  Go-live gates of the platform services: workloads rolled out and healthy, database',
    '  settings and migrations, SLOs from Prometheus, endpoints and TLS, backups, smoke tests.',
    'defaults: { timeout: 30s, retries: 0, interval: 5s }',
    '',
    'environments:',
  );
  for (const env of ['staging', 'production']) {
    push(
      `  ${env}:`,
      `    vars: { namespace: platform-${env}, domain: ${env}.example.internal, minReplicas: ${env === 'production' ? 3 : 1} }`,
      `    kubernetes: { context: ${env}, namespace: platform-${env} }`,
      '    prometheus:',
      `      url: https://prometheus.${env}.example.internal`,
      `      headers: { Authorization: "Bearer \${secret:PROM_TOKEN}" }`,
      '    postgres:',
      `      primary: { url: "\${secret:PG_PRIMARY_URL}", connectTimeout: 5s }`,
      `      standby: { url: "\${secret:PG_STANDBY_URL}", connectTimeout: 5s }`,
    );
  }
  push('', 'gates:');
  for (let s = 0; s < services; s++) {
    const svc = `svc${s}`;
    push(
      `  - id: ${svc}-rolled-out`,
      `    title: ${svc} finished rolling out`,
      '    uses: kubernetes.rollout',
      `    with: { name: ${svc} }`,
      '    timeout: 5m',
      '',
      `  - id: ${svc}-pods`,
      `    title: ${svc} pods Ready, at most 3 restarts`,
      '    uses: kubernetes.pods',
      `    with: { selector: "app=${svc},tier=backend", maxRestarts: 3, minPods: 2 }`,
      `    needs: [${svc}-rolled-out]`,
      '',
      `  - id: ${svc}-certificate`,
      `    title: The ${svc} certificate is issued`,
      '    uses: kubernetes.condition',
      `    with: { apiVersion: cert-manager.io/v1, kind: Certificate, name: ${svc}-tls }`,
      '',
      `  - id: ${svc}-health`,
      `    title: ${svc} answers 200 on /health`,
      '    uses: http',
      `    with: { url: "https://${svc}.\${vars.domain}/health", headers: { Accept: application/json } }`,
      '    retries: 3',
      '    interval: 2s',
      `    needs: [${svc}-pods]`,
      '',
      `  - id: ${svc}-version`,
      `    title: ${svc} 2.3.0 or newer is deployed`,
      '    uses: http',
      `    with: { url: "https://${svc}.\${vars.domain}/health" }`,
      '    observe: json:$.version',
      '    expect: ">= 2.3.0"',
      `    needs: [${svc}-health]`,
      '',
      `  - id: ${svc}-hsts`,
      '    title: HSTS for about four months or more',
      '    uses: http',
      `    with: { url: "https://${svc}.\${vars.domain}/" }`,
      '    observe: header:Strict-Transport-Security',
      '    expect: "=~ /max-age=\\\\d{8,}/"',
      '    severity: warning',
      `    needs: [${svc}-health]`,
      '',
      `  - id: ${svc}-error-rate`,
      `    title: ${svc} error rate at most 0.1 %`,
      '    uses: prometheus.query',
      '    with:',
      '      query: >-',
      `        sum(rate(http_requests_total{service="${svc}",code=~"5.."}[5m]))`,
      `        / sum(rate(http_requests_total{service="${svc}"}[5m]))`,
      '    expect: "<= 0.001"',
      `    needs: [${svc}-health]`,
      '',
      `  - id: ${svc}-p99`,
      `    title: ${svc} p99 latency under 250 ms`,
      '    uses: prometheus.query',
      '    with:',
      `      query: histogram_quantile(0.99, sum by (le) (rate(http_request_duration_seconds_bucket{service="${svc}"}[5m])))`,
      '    expect: "< 250ms"',
      `    needs: [${svc}-health]`,
      '',
      `  - id: ${svc}-db-connections`,
      `    title: ${svc} uses under 80 % of its connection budget`,
      '    uses: postgres.query',
      '    connection: primary',
      '    with:',
      `      sql: "SELECT count(*)::float / current_setting('max_connections')::float FROM pg_stat_activity WHERE usename = $1"`,
      `      params: [${svc}]`,
      '    expect: "< 0.8"',
      '',
      `  - id: ${svc}-migrations`,
      `    title: ${svc} has no pending migration`,
      '    uses: postgres.query',
      '    connection: primary',
      `    with: { sql: "SELECT count(*) FROM ${svc}.schema_migrations WHERE applied_at IS NULL" }`,
      '    expect: "== 0"',
      `    needs: [${svc}-db-connections]`,
      '',
      `  - id: ${svc}-backup-fresh`,
      `    title: The nightly backup of ${svc} is under 26 hours old`,
      '    uses: file',
      `    with: { path: "/var/backups/${svc}/*.dump" }`,
      '    observe: age',
      '    expect: "< 26h"',
      '',
    );
  }
  push('stages:');
  for (let s = 0; s < services; s++) {
    const svc = `svc${s}`;
    push(
      `  - id: ${svc}-cutover`,
      `    title: Shift ${svc} traffic to the new version`,
      `    gates: [${svc}-version]`,
      '    steps:',
      `      - { id: ${svc}-smoke, uses: exec, with: { command: [./scripts/smoke.sh, ${svc}, --quick] }, mutates: false, timeout: 2m }`,
      `      - { id: ${svc}-shift, uses: exec, with: { command: [./scripts/shift-traffic.sh, ${svc}, "100"], env: { TOKEN: "\${secret:DEPLOY_TOKEN}" } }, needs: [${svc}-smoke] }`,
      '    verify:',
      `      - id: ${svc}-healthy-after`,
      '        uses: prometheus.query',
      `        with: { query: "sum(rate(http_requests_total{service=\\"${svc}\\",code=~\\"5..\\"}[1m]))" }`,
      '        expect: "<= 1"',
      '        onEmpty: pass',
      '    onFailure: rollback',
    );
  }
  push('', 'rollback:', '  triggers:');
  for (let s = 0; s < services; s++) {
    const svc = `svc${s}`;
    push(
      `    - id: ${svc}-errors-high`,
      `      title: ${svc} error rate above 5 % for 5 minutes`,
      '      uses: prometheus.query',
      `      with: { query: "sum(rate(http_requests_total{service=\\"${svc}\\",code=~\\"5..\\"}[5m])) / sum(rate(http_requests_total{service=\\"${svc}\\"}[5m]))" }`,
      '      expect: "<= 0.05"',
      '      for: 5m',
    );
  }
  push('  steps:', '    - { id: undo, uses: exec, with: { command: [./scripts/rollback.sh, --all] } }');
  return `${out.join('\n')}\n`;
}
