import type { RunbookItem } from './parse.js';
import { latencyQuery } from './promql.js';
import { comparisonIn, expectOf, quantileIn } from './text.js';

/** What a rule makes of an item: a node's kind and parameters, and what it needs declared. */
export interface NodeSpec {
  uses: string;
  with: Record<string, unknown>;
  observe?: string;
  expect?: string;
  /** A placeholder the environment must declare (`${vars.NAME}`). */
  vars?: string[];
  /** Secrets the node reads (`${secret:NAME}`), from the environment at run time. */
  secrets?: string[];
  /** The connection the kind reads from `environments.<env>` (alertmanager: the prometheus connection's alertmanagerUrl). */
  system?: 'postgres' | 'prometheus' | 'kubernetes' | 'alertmanager';
  /** One instance per value (`${matrix.NAME}`): one item naming several ports is still one node. */
  matrix?: Record<string, Array<string | number>>;
  /** Triggers: the condition must fail throughout this window to fire. */
  for?: string;
  /** Says what to review: the rule guessed something the text does not say. */
  note?: string;
  /** A command that looks like it changes something: fine as a step, never as a gate. */
  changes?: boolean;
  /** A procedure step: whether it changes something (false only when its commands plainly just look). */
  mutates?: boolean;
}

export interface Rule {
  name: string;
  /** Whether the rule made a machine check (false: a person signs off). */
  automated: boolean;
  apply(item: RunbookItem): NodeSpec | undefined;
}

const FALLBACK_ROLE = 'Release owner';

/** Backticked spans of the item's text. */
function codeSpans(text: string): string[] {
  return [...text.matchAll(/`([^`]+)`/g)].map((m) => m[1]!.trim());
}

/** Item text without backticks, for titles and prompts. */
export function proseOf(text: string): string {
  return text.replace(/`/g, '');
}

const COMMANDS = new Set(['make', 'npm', 'npx', 'pnpm', 'yarn', 'node', 'terraform', 'kubectl', 'helm', 'docker', 'curl', 'psql', 'pg_dump', 'pg_restore', 'git', 'bash', 'sh', 'python', 'python3', 'go', 'cargo', 'ansible-playbook', 'aws', 'gcloud', 'az', 'argocd', 'flux', 'kustomize', 'trivy', 'just']);

/** argv of a backticked span that reads as a command line, or undefined (paths, settings, words). */
export function commandArgv(span: string): string[] | undefined {
  // Placeholders and elisions are for a person to fill in, not a command to run.
  if (/[<>]|\.\.\.|…/.test(span)) return undefined;
  // Commands that follow, watch or forward never end by themselves.
  if (/\s(-w|--watch|-f\b.*\blogs|logs\b.*\s-f)\b/.test(` ${span}`) || /\blogs\s+(-\w*f|--follow)/.test(span) || /\bport-forward\b/.test(span)) return undefined;
  const argv = splitWords(span);
  const program = argv[0];
  if (!program) return undefined;
  const isScript = /^\.{1,2}\/\S+/.test(program) || /^\S+\.(sh|py|mjs|js)$/.test(program) && argv.length >= 1 && program.includes('/');
  if (!isScript && !(COMMANDS.has(program) && argv.length >= 2)) return undefined;
  return argv;
}

function splitWords(span: string): string[] {
  const words: string[] = [];
  for (const m of span.matchAll(/"([^"]*)"|'([^']*)'|(\S+)/g)) words.push(m[1] ?? m[2] ?? m[3]!);
  return words;
}

/** `< 100ms`, `<500ms`, `<80%` in the text, as an expectation; percentages become ratios. */
function thresholdIn(text: string): string | undefined {
  const m = /(<=?|>=?)\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h|%)?(?![\w.])/.exec(text);
  if (!m) return undefined;
  const [, op, value, unit] = m;
  if (unit === '%') return `${op} ${Number(value) / 100}`;
  return `${op} ${value}${unit ?? ''}`;
}

/** PostgreSQL settings a runbook names as `name=value`, and the unit a bare number means. */
const PG_SETTINGS: Record<string, string> = {
  log_connections: '', log_disconnections: '', log_min_duration_statement: 'ms', max_connections: '',
  ssl: '', wal_level: '', archive_mode: '', shared_buffers: '', effective_cache_size: '', work_mem: '',
  statement_timeout: 'ms', idle_in_transaction_session_timeout: 'ms', password_encryption: '', max_wal_senders: '',
};

export const COMMANDS_THAT_CHANGE = /\b(apply|push|deploy|release|migrate|build|delete|undo|seed|install|restore|create|rotate|upgrade|drop|scale|rollout|tag)\b/;


/** Prometheus job names of well-known observability components, by how runbooks name them. */
const COMPONENT_JOBS: Record<string, RegExp> = {
  loki: /\bloki\b/i, elasticsearch: /\b(elk|elasticsearch|opensearch)\b/i, logstash: /\blogstash\b/i, 'fluent-bit': /\bfluent ?bit\b/i, fluentd: /\bfluentd\b/i,
  vector: /\bvector\b(?! search)/i, jaeger: /\bjaeger\b/i, zipkin: /\bzipkin\b/i, tempo: /\btempo\b/i, 'otel-collector': /\b(otel|opentelemetry)\b[^.]*collector|\bcollector\b/i,
};

/** How each tool prints its bare version (compared as a version). */
const TOOL_VERSION: Record<string, string[]> = {
  docker: ['docker', 'version', '--format', '{{.Server.Version}}'],
  'docker-compose': ['docker', 'compose', 'version', '--short'],
  kubectl: ['kubectl', 'version', '--client', '-o', 'jsonpath={.clientVersion.gitVersion}'],
  helm: ['helm', 'version', '--template', '{{.Version}}'],
};

/** `kubectl -n nova-prod ...` → nova-prod. */
function namespaceIn(text: string): string | undefined {
  return /(?:\s-n|--namespace)[ =]([a-z0-9][a-z0-9-]*)/.exec(text)?.[1];
}

function urlIn(text: string): string | undefined {
  return /https?:\/\/[^\s`)>"'\]]+/.exec(text)?.[0]?.replace(/[.,;:]+$/, '');
}

/** Shell lines ending in a backslash continue on the next. */
export function joinContinuations(lines: string[]): string[] {
  const joined: string[] = [];
  let pending = '';
  for (const line of lines) {
    if (line.trimEnd().endsWith('\\')) pending += `${line.trimEnd().slice(0, -1).trim()} `;
    else {
      joined.push(`${pending}${line.trim()}`.trim());
      pending = '';
    }
  }
  if (pending) joined.push(pending.trim());
  return joined;
}
/** First match wins: specific kinds before the generic URL / command / backup rules. */
export const RULES: Rule[] = [
  {
    name: 'sign-off section',
    automated: false,
    apply: (item) => item.headings.some((h) => /approv|sign[- ]?off/i.test(h))
      ? { uses: 'approval', with: { role: proseOf(item.text) } }
      : undefined,
  },
  {
    name: 'branch protection',
    automated: true,
    apply: (item) => {
      if (!/branch protection|protected branch|lock (the )?main branch|branch (is )?(frozen|locked)|branch frozen|required status checks/i.test(item.text)) return undefined;
      const branch = /\bmain\b/i.test(item.text) ? 'main' : /\bmaster\b/i.test(item.text) ? 'master' : '${vars.branch}';
      return { uses: 'http', with: { url: `https://api.github.com/repos/\${vars.github_repo}/branches/${branch}/protection`, headers: { Authorization: 'Bearer ${secret:GITHUB_TOKEN}' } }, vars: ['github_repo', ...(branch.startsWith('$') ? ['branch'] : [])], secrets: ['GITHUB_TOKEN'], note: 'GitHub answers 404 for an unprotected branch; another forge: its API' };
    },
  },
  {
    name: 'approval',
    automated: false,
    apply: (item) => {
      if (!/\b(approv(e|es|ed|al)|sign[- ]?offs?|signs? off|"?go"? decision|go\/no[- ]go)\b/i.test(item.text)) return undefined;
      const by = /\bby (?:the )?([A-Z][\w-]*(?: [A-Z][\w-]*)*)/.exec(proseOf(item.text))?.[1];
      const named = /\b(incident commander|release captain|product manager|product owner|security reviewer|database team lead|leadership|change advisory board)\b/i.exec(item.text)?.[1];
      const role = by ?? named?.replace(/\b\w/g, (c) => c.toUpperCase()) ?? 'Approver';
      return { uses: 'approval', with: { role, prompt: proseOf(item.text) } };
    },
  },
  {
    name: 'replication lag',
    automated: true,
    apply: (item) => {
      if (!/replication lag/i.test(item.text)) return undefined;
      const expect = thresholdIn(item.text);
      return { uses: 'postgres.replication', with: {}, expect: expect ?? '< 1s', system: 'postgres', ...(expect ? {} : { note: 'the runbook names no lag limit: 1s is a guess' }) };
    },
  },
  {
    name: 'max connections',
    automated: true,
    apply: (item) => {
      const m = /max[ _]connections\b\D*(\d+)/i.exec(item.text);
      return m ? { uses: 'postgres.setting', with: { name: 'max_connections' }, expect: `>= ${m[1]}`, system: 'postgres' } : undefined;
    },
  },
  {
    name: 'postgres setting',
    automated: true,
    apply: (item) => {
      for (const span of codeSpans(item.text)) {
        const m = /^([a-z_]+)\s*=\s*(\S+)$/.exec(span);
        if (!m || !(m[1]! in PG_SETTINGS)) continue;
        const unit = /^\d+$/.test(m[2]!) ? PG_SETTINGS[m[1]!]! : '';
        return { uses: 'postgres.setting', with: { name: m[1] }, expect: `== ${m[2]}${unit}`, system: 'postgres' };
      }
      return undefined;
    },
  },
  {
    name: 'postgres version',
    automated: true,
    apply: (item) => {
      const m = /\bpostgres(?:ql)?\s+(\d+)(?:\.(\d+))?\s*(?:\+|or (?:newer|later|above))/i.exec(item.text);
      return m ? { uses: 'postgres.version', with: {}, expect: `>= ${m[1]}.${m[2] ?? 0}`, system: 'postgres' } : undefined;
    },
  },
  {
    name: 'WAL archiving',
    automated: true,
    apply: (item) => /\bwal archiv/i.test(item.text) ? { uses: 'postgres.archiving', with: {}, system: 'postgres' } : undefined,
  },
  {
    name: 'postgres TLS required',
    automated: true,
    apply: (item) => /sslmode=require|\b(ssl|tls) (is )?(enforced|required)|connections? require (tls|ssl)|\b(tls|ssl) to (the )?(db|database)\b/i.test(item.text)
      ? { uses: 'postgres.query', with: { sql: "SELECT count(*) FROM pg_hba_file_rules WHERE type = 'host'" }, expect: '== 0', system: 'postgres', note: 'counts pg_hba lines that accept TCP without TLS (host, not hostssl); reading pg_hba_file_rules needs a superuser' }
      : undefined,
  },
  {
    name: 'pg_hba restricted',
    automated: true,
    apply: (item) => /\bpg_hba\b/i.test(item.text)
      ? { uses: 'postgres.query', with: { sql: "SELECT count(*) FROM pg_hba_file_rules WHERE type LIKE 'host%' AND (address = 'all' OR netmask IN ('0.0.0.0', '::'))" }, expect: '== 0', system: 'postgres', note: 'counts pg_hba lines open to every address; reading pg_hba_file_rules needs a superuser' }
      : undefined,
  },
  {
    name: 'replication slots',
    automated: true,
    apply: (item) => /replication slots?\b/i.test(item.text)
      ? { uses: 'postgres.query', with: { sql: 'SELECT count(*) FROM pg_replication_slots' }, expect: '>= 1', system: 'postgres' }
      : undefined,
  },
  {
    name: 'logical decoding',
    automated: true,
    apply: (item) => /logical (decoding|replication)/i.test(item.text)
      ? { uses: 'postgres.setting', with: { name: 'wal_level' }, expect: '== logical', system: 'postgres' }
      : undefined,
  },
  {
    name: 'statistics analyzed',
    automated: true,
    // ANALYZE as SQL spells it (upper case), not the English verb.
    apply: (item) => /\bstatistics (are )?(updated|current|fresh)\b/i.test(item.text) || (/\bANALYZE\b/.test(item.text) && !/EXPLAIN ANALYZE/i.test(item.text))
      ? { uses: 'postgres.query', with: { sql: 'SELECT count(*) FROM pg_stat_user_tables WHERE last_analyze IS NULL AND last_autoanalyze IS NULL' }, expect: '== 0', system: 'postgres', note: 'tables never analyzed' }
      : undefined,
  },
  {
    name: 'tablespaces',
    automated: true,
    apply: (item) => /tablespaces? (are )?(created|exist|configured)/i.test(item.text)
      ? { uses: 'postgres.query', with: { sql: "SELECT count(*) FROM pg_tablespace WHERE spcname NOT IN ('pg_default', 'pg_global')" }, expect: '>= 1', system: 'postgres' }
      : undefined,
  },
  {
    name: 'partitioning',
    automated: true,
    apply: (item) => /\bpartition(ing|ed)\b/i.test(item.text) && /\b(tables?|postgres(ql)?|database|db)\b/i.test(item.text)
      ? { uses: 'postgres.query', with: { sql: 'SELECT count(*) FROM pg_partitioned_table' }, expect: '>= 1', system: 'postgres' }
      : undefined,
  },
  {
    name: 'foreign keys validated',
    automated: true,
    apply: (item) => /foreign keys? (are )?(validated|valid)\b/i.test(item.text)
      ? { uses: 'postgres.query', with: { sql: "SELECT count(*) FROM pg_constraint WHERE contype = 'f' AND NOT convalidated" }, expect: '== 0', system: 'postgres', note: 'foreign keys still NOT VALID' }
      : undefined,
  },
  {
    name: 'database superusers',
    automated: true,
    apply: (item) => /\b(database|db|postgres(ql)?)\b[^.]*\b(roles?|users?|privileges?)\b[^.]*\b(minimi[sz]ed|least privilege|restricted)/i.test(item.text)
      ? { uses: 'postgres.query', with: { sql: 'SELECT count(*) FROM pg_roles WHERE rolsuper AND rolcanlogin' }, expect: '<= 1', system: 'postgres', note: 'superusers that can log in: one (the owner) at most — state yours' }
      : undefined,
  },
  {
    name: 'password hashing',
    automated: true,
    apply: (item) => /password (hashing|encryption)|\bscram\b|not md5/i.test(item.text)
      ? { uses: 'postgres.setting', with: { name: 'password_encryption' }, expect: '== scram-sha-256', system: 'postgres', note: 'PostgreSQL role passwords; an application\'s own hashing is not visible here' }
      : undefined,
  },
  {
    name: 'database cache hit ratio',
    automated: true,
    apply: (item) => {
      if (!/cache hit (ratio|rate)s?/i.test(item.text) || /redis|memcache|cdn/i.test(item.text)) return undefined;
      const c = comparisonIn(item.text);
      return { uses: 'postgres.query', with: { sql: 'SELECT sum(blks_hit)::float / nullif(sum(blks_hit + blks_read), 0) FROM pg_stat_database' }, expect: c ? expectOf(c) : '>= 0.9', system: 'postgres', note: 'PostgreSQL\'s buffer cache; another cache needs its own metric' };
    },
  },
  {
    name: 'PgBouncer',
    automated: true,
    apply: (item) => /pgbouncer/i.test(item.text)
      ? { uses: 'pgbouncer.pools', with: { url: '${vars.pgbouncer_url}', password: '${secret:PGBOUNCER_PASSWORD}' }, vars: ['pgbouncer_url'], secrets: ['PGBOUNCER_PASSWORD'], note: 'no client waits for a server connection' }
      : undefined,
  },
  {
    name: 'Patroni cluster',
    automated: true,
    apply: (item) => {
      if (!/\bpatroni\b/i.test(item.text)) return undefined;
      const nodes = /(\d+)\+? (nodes|members|replicas)/i.exec(item.text)?.[1];
      return { uses: 'postgres.replication', with: {}, observe: 'standbys', expect: `>= ${nodes ? Math.max(1, Number(nodes) - 1) : 1}`, system: 'postgres', note: 'standbys streaming from the primary (the cluster less its leader)' };
    },
  },
  {
    name: 'etcd health',
    automated: true,
    apply: (item) => {
      if (!/\betcd\b[^.]*\b(health|healthy|cluster|quorum|members?|nodes?)\b/i.test(item.text)) return undefined;
      const members = /(\d+)\+? (nodes|members)/i.exec(item.text)?.[1];
      return { uses: 'etcd.health', with: { endpoints: ['${vars.etcd_url}'] }, ...(members && !/health/i.test(item.text) ? { observe: 'members', expect: `>= ${members}` } : {}), vars: ['etcd_url'], note: members ? `every member healthy; the runbook also wants ${members}+ members (observe: members)` : 'every member healthy' };
    },
  },
  {
    name: 'migrations applied',
    automated: true,
    apply: (item) => /migrations? (are |have been )?(applied|up to date|current)|pending migrations/i.test(item.text) && !/neo4j|mongo|cassandra|redis/i.test(item.text)
      ? { uses: 'postgres.migrations', with: { directory: '${vars.migrations_dir}' }, vars: ['migrations_dir'], system: 'postgres', note: 'table and column default to schema_migrations.version: set yours' }
      : undefined,
  },
  {
    name: 'alerts quiet',
    automated: true,
    apply: (item) => /alertmanager (is )?quiet|no (critical )?(firing )?alerts? (are )?firing|no firing alerts|alerts? (are )?quiet/i.test(item.text)
      ? { uses: 'prometheus.alerts', with: {}, system: 'prometheus' }
      : undefined,
  },
  {
    name: 'alerting rules',
    automated: true,
    apply: (item) => {
      if (!/alert(ing)? rules|alerts? (are |have been )?(configured|defined)|burn[- ]rate alerts|first \d+ alerts/i.test(item.text)) return undefined;
      if (/burn[- ]rate/i.test(item.text)) return { uses: 'prometheus.rules', with: { matchers: ['alertname=~".*[Bb]urn.*"'] }, observe: 'count', expect: /multi[- ]window/i.test(item.text) ? '>= 2' : '>= 1', system: 'prometheus', note: 'burn-rate alerts found by name: adjust the matcher to yours' };
      const severities = [...new Set([...item.text.matchAll(/\b(critical|warning|info|page)\b/gi)].map((m) => m[1]!.toLowerCase()))];
      return { uses: 'prometheus.rules', with: { severities: severities.length ? severities : ['critical'] }, system: 'prometheus', ...(severities.length ? {} : { note: 'the runbook names no severities: critical is a guess' }) };
    },
  },
  {
    name: 'Alertmanager receivers',
    automated: true,
    apply: (item) => {
      if (!/alertmanager[^.]*(channels|receivers)|notification channels/i.test(item.text)) return undefined;
      const listed = /\(([^)]+)\)/.exec(item.text)?.[1]?.split(/\s*,\s*/).map((r) => r.toLowerCase().replace(/[^a-z0-9-]+/g, '-')).filter(Boolean);
      return { uses: 'alertmanager.receivers', with: { receivers: listed?.length ? listed : ['${vars.receiver}'] }, ...(listed?.length ? {} : { vars: ['receiver'] }), system: 'alertmanager', note: 'receiver names as alertmanager.yml spells them' };
    },
  },
  {
    name: 'PromQL expression',
    automated: true,
    apply: (item) => {
      const query = codeSpans(item.text).find((s) => /\b(rate|irate|increase|sum|avg|max|min|histogram_quantile|count)\s*\(/.test(s) || /^[a-zA-Z_:][\w:]*\{[^}]*\}(\[\d+[smhd]\])?$/.test(s));
      if (!query) return undefined;
      const expect = thresholdIn(item.text.replace(query, ''));
      return { uses: 'prometheus.query', with: { query }, expect: expect ?? '> 0', system: 'prometheus', ...(expect ? {} : { note: 'the healthy condition is a guess: state it' }) };
    },
  },
  {
    name: 'observability pipeline up',
    automated: true,
    apply: (item) => {
      const text = item.text;
      const isLogs = /\blog (aggregation|forwarding|shipping|collection)|\blogs? (are )?(shipped|forwarded|aggregated)/i.test(text);
      const isTraces = /\b(distributed )?tracing\b|\btraces? (are )?(exported|collected)/i.test(text);
      if (!isLogs && !isTraces) return undefined;
      const named = Object.entries(COMPONENT_JOBS).filter(([, re]) => re.test(text)).map(([job]) => job);
      const jobs = named.length ? named : isLogs ? ['loki', 'elasticsearch', 'fluent-bit', 'vector'] : ['jaeger', 'tempo', 'zipkin', 'otel-collector'];
      return { uses: 'prometheus.query', with: { query: `up{job=~".*(${jobs.join('|')}).*"}` }, expect: '== 1', system: 'prometheus', note: 'every scrape target of the pipeline is up (no target at all is an error): adjust the job names' };
    },
  },
  {
    name: 'clock sync',
    automated: true,
    apply: (item) => /\bNTP\b|\bchrony\b|clocks? (are )?(synchroni[sz]ed|in sync)|time sync/i.test(item.text)
      ? { uses: 'prometheus.query', with: { query: 'min(node_timex_sync_status)' }, expect: '== 1', system: 'prometheus', note: 'node_exporter\'s timex collector on every node' }
      : undefined,
  },
  {
    name: 'node resource usage',
    automated: true,
    apply: (item) => {
      const c = comparisonIn(item.text);
      if (!c?.percent) return undefined;
      const query = /\bmemory (usage|use|utili[sz]ation)/i.test(item.text) ? 'max(1 - node_memory_MemAvailable_bytes / node_memory_MemTotal_bytes)'
        : /\bdisk i\/?o\b/i.test(item.text) ? 'max(rate(node_disk_io_time_seconds_total[5m]))'
        : /\bcpu (usage|use|utili[sz]ation)/i.test(item.text) ? 'max(1 - avg by (instance) (rate(node_cpu_seconds_total{mode="idle"}[5m])))'
        : undefined;
      return query ? { uses: 'prometheus.query', with: { query }, expect: expectOf(c), system: 'prometheus', note: 'the busiest node, from node_exporter, now' } : undefined;
    },
  },
  {
    name: 'latency percentile',
    automated: true,
    apply: (item) => {
      const quantile = quantileIn(item.text);
      const c = comparisonIn(item.text);
      if (quantile === undefined || !c?.unit) return undefined;
      return { uses: 'prometheus.query', with: { query: latencyQuery(quantile), unit: 'seconds' }, expect: expectOf(c), vars: ['job'], system: 'prometheus', note: 'http_request_duration_seconds of ${vars.job}: use the histogram of what the item measures' };
    },
  },
  {
    name: 'postgres extension',
    automated: true,
    apply: (item) => {
      const m = /\b([A-Za-z][\w-]*)(?: (\d+\.\d+(?:\.\d+)?))? extension (loaded|installed|enabled|created)/i.exec(item.text);
      if (!m) return undefined;
      const name = m[1]!.toLowerCase();
      return { uses: 'postgres.extension', with: { name }, ...(m[2] ? { expect: `>= ${m[2]}` } : {}), system: 'postgres', note: `the extension's name in pg_extension may differ from "${name}"` };
    },
  },
  {
    name: 'Prometheus scrape targets',
    automated: true,
    apply: (item) => /\bscrape (jobs|targets|configs?)\b|\bprometheus (is )?scraping|^\/metrics\b|\bmetrics\b[^.]*\bflowing\b/i.test(item.text)
      ? { uses: 'prometheus.query', with: { query: 'up' }, expect: '== 1', system: 'prometheus', note: 'narrow the query to your jobs: up{job="..."}' }
      : undefined,
  },
  {
    name: 'no :latest images',
    automated: true,
    apply: (item) => /:latest\b|\blatest tag|image (pinning|digests?)|pinned images?|immutable (image )?tags/i.test(item.text)
      ? { uses: 'kubernetes.images', with: /digest|sha/i.test(item.text) ? { requireDigest: true } : {}, system: 'kubernetes' }
      : undefined,
  },
  {
    name: 'PodDisruptionBudget',
    automated: true,
    apply: (item) => /\bPDBs?\b|pod ?disruption ?budget/i.test(item.text)
      ? { uses: 'kubernetes.pdb', with: { name: '${vars.workload}' }, vars: ['workload'], system: 'kubernetes' }
      : undefined,
  },
  {
    name: 'cert-manager certificate',
    automated: true,
    apply: (item) => /cert-manager/i.test(item.text)
      ? { uses: 'kubernetes.condition', with: { apiVersion: 'cert-manager.io/v1', kind: 'Certificate', name: '${vars.certificate}' }, vars: ['certificate'], system: 'kubernetes', note: 'Ready means issued and not expired; cert-manager renews it' }
      : undefined,
  },
  {
    name: 'Argo CD application synced',
    automated: true,
    apply: (item) => /\bargo ?cd\b/i.test(item.text)
      ? { uses: 'kubernetes.condition', with: { apiVersion: 'argoproj.io/v1alpha1', kind: 'Application', name: '${vars.argocd_app}', field: 'status.sync.status' }, expect: '== Synced', vars: ['argocd_app'], system: 'kubernetes' }
      : undefined,
  },
  {
    name: 'Argo Rollouts',
    automated: true,
    apply: (item) => /argo rollouts|analysis ?templates?/i.test(item.text)
      ? { uses: 'kubernetes.exists', with: { apiVersion: 'argoproj.io/v1alpha1', kind: 'Rollout', name: '${vars.workload}' }, vars: ['workload'], system: 'kubernetes', note: 'the workload is an Argo Rollout (canary or blue-green)' }
      : undefined,
  },
  {
    name: 'network policies',
    automated: true,
    apply: (item) => /network ?polic(y|ies)|default[- ]deny|tenant isolation|isolation boundaries/i.test(item.text)
      ? { uses: 'kubernetes.network-policy', with: {}, system: 'kubernetes', note: 'default-deny ingress and egress in the environment\'s namespace; list your allow policies in allow:' }
      : undefined,
  },
  {
    name: 'cluster ready',
    automated: true,
    apply: (item) => /\b(kubernetes|k8s|gke|aks|eks)\b[^.]*\bclusters?\b[^.]*\b(provisioned|stood up|ready|running)|\bstand up\b[^.]*\b(kubernetes|k8s)\b[^.]*\bcluster|\bclusters?, namespaces?\)? (are )?provisioned|\bnamespaces? (are )?(provisioned|created)/i.test(item.text)
      ? { uses: 'kubernetes.exists', with: { apiVersion: 'v1', kind: 'Namespace', name: '${vars.namespace}' }, vars: ['namespace'], system: 'kubernetes', note: 'the cluster answers with the environment\'s context and the namespace exists' }
      : undefined,
  },
  {
    name: 'secret exists',
    automated: true,
    apply: (item) => /\bsecrets? (exists?|are present|is present|created|in place)\b/i.test(item.text)
      ? { uses: 'kubernetes.exists', with: { kind: 'Secret', name: '${vars.secret_name}' }, vars: ['secret_name'], system: 'kubernetes', note: 'reads metadata only: the secret\'s data never leaves the cluster' }
      : undefined,
  },
  {
    name: 'roll back deployment',
    automated: true,
    // A runnable command in the text is the runbook's own way: the command rule keeps it.
    apply: (item) => /\broll ?back (the )?(application |app )?(deployments?|services?|workloads?)\b|\brollout undo\b/i.test(item.text) && !codeSpans(item.text).some((s) => commandArgv(s))
      ? { uses: 'kubernetes.rollout-undo', with: { name: '${vars.workload}' }, vars: ['workload'], system: 'kubernetes', changes: true, note: 'one node per workload: copy it for each' }
      : undefined,
  },
  {
    name: 'workload rolled out',
    automated: true,
    apply: (item) => {
      if (!/\b(is|are|was|been) (deployed|rolled out)\b|\bwatch\b[^.]*\brollout\b|\brollout status\b/i.test(item.text)) return undefined;
      const name = codeSpans(item.text).find((s) => /^[a-z0-9][a-z0-9-]*[a-z0-9]$/.test(s));
      // "Dashboards are deployed" is not a workload: a name in backticks, or words that say Kubernetes.
      if (!name && !/\b(deployments?|services?|workloads?|helm release|rollout|kubectl)\b/i.test(item.text)) return undefined;
      const namespace = namespaceIn(item.text);
      return { uses: 'kubernetes.rollout', with: { name: name ?? '${vars.workload}', ...(namespace ? { namespace } : {}) }, ...(name ? {} : { vars: ['workload'] }), system: 'kubernetes' };
    },
  },
  {
    name: 'pods ready',
    automated: true,
    apply: (item) => {
      if (!/readiness probes? (succeed|pass|are green)|\bpods? (are )?(ready|running|healthy)\b/i.test(item.text)) return undefined;
      const namespace = namespaceIn(item.text);
      return { uses: 'kubernetes.pods', with: { selector: '${vars.selector}', ...(namespace ? { namespace } : {}) }, vars: ['selector'], system: 'kubernetes' };
    },
  },
  {
    name: 'probes configured',
    automated: true,
    apply: (item) => /\b(readiness|liveness) (probes?|strategy)\b|\bprobes? (are )?(configured|defined)/i.test(item.text)
      ? { uses: 'kubernetes.workload-hygiene', with: { name: '${vars.workload}', rules: /liveness/i.test(item.text) && !/readiness/i.test(item.text) ? ['liveness-probe'] : /liveness/i.test(item.text) ? ['readiness-probe', 'liveness-probe'] : ['readiness-probe'] }, vars: ['workload'], system: 'kubernetes' }
      : undefined,
  },
  {
    name: 'HSTS header',
    automated: true,
    apply: (item) => /\bHSTS\b|strict-transport-security/i.test(item.text)
      ? { uses: 'http', with: { url: '${vars.api_url}' }, observe: 'header:Strict-Transport-Security', expect: '=~ /max-age=/', vars: ['api_url'] }
      : undefined,
  },
  {
    name: 'TLS certificate',
    automated: true,
    apply: (item) => /\b(tls|ssl)\b[^.]*certificat|certificat\w*[^.]*\b(valid|expir)/i.test(item.text)
      ? { uses: 'http', with: { url: '${vars.api_url}' }, observe: 'tlsDaysLeft', expect: '>= 14', vars: ['api_url'] }
      : undefined,
  },
  {
    name: 'tool version',
    automated: true,
    apply: (item) => {
      const m = /\b(docker[- ]compose|docker|kubectl|helm)\s+v?(\d+(?:\.\d+){0,2})\s*(?:\+|or (?:newer|later|above))/i.exec(item.text);
      if (!m) return undefined;
      const tool = m[1]!.toLowerCase().replace(' ', '-');
      const parts = m[2]!.split('.');
      while (parts.length < 3) parts.push('0');
      return { uses: 'exec', with: { command: TOOL_VERSION[tool]! }, observe: 'stdout', expect: `>= ${parts.join('.')}`, note: 'the version on the machine rollout runs on' };
    },
  },
  {
    name: 'docker swarm',
    automated: true,
    apply: (item) => {
      if (!/\bswarm\b[^.]*\b(initiali[sz]ed|active|enabled)/i.test(item.text)) return undefined;
      const nodes = /(\d+)\+? nodes/i.exec(item.text)?.[1];
      return nodes
        ? { uses: 'exec', with: { command: ['docker', 'info', '--format', '{{.Swarm.Nodes}}'] }, observe: 'stdout', expect: `>= ${nodes}`, note: 'run it against a manager node' }
        : { uses: 'exec', with: { command: ['docker', 'info', '--format', '{{.Swarm.LocalNodeState}}'] }, observe: 'stdout', expect: '== active' };
    },
  },
  {
    name: 'DNS records',
    automated: true,
    apply: (item) => {
      if (!/\bDNS (records?|entries|entry)\b/i.test(item.text)) return undefined;
      const type = /\bCNAME\b/.test(item.text) ? 'CNAME' : /\bAAAA\b/.test(item.text) ? 'AAAA' : 'A';
      return { uses: 'dns', with: { name: '${vars.api_host}', type }, expect: '== ${vars.dns_target}', vars: ['api_host', 'dns_target'], note: 'one record type per node' };
    },
  },
  {
    name: 'firewall ports',
    automated: true,
    apply: (item) => {
      if (!/\b(firewall|ports?|security groups?)\b/i.test(item.text)) return undefined;
      const list = /\(((?:\d{2,5}\s*,\s*)*\d{2,5})\)/.exec(item.text)?.[1];
      if (!list) return undefined;
      const ports = list.split(/\s*,\s*/).map(Number).filter((p) => p > 0 && p < 65536);
      return { uses: 'tcp', with: { host: '${vars.host}', port: '${matrix.port}' }, matrix: { port: ports }, vars: ['host'], note: 'open from where the service is used; from outside a port that must stay shut is expect: "== closed"' };
    },
  },
  {
    name: 'kernel parameters',
    automated: true,
    apply: (item) => {
      const settings = codeSpans(item.text).map((s) => /^((?:vm|net|kernel|fs)(?:\.[\w-]+)+)\s*=\s*(\S+)$/.exec(s)).filter((m): m is RegExpExecArray => m !== null);
      if (!settings.length) return undefined;
      const values = settings.map((m) => m[2]!.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&'));
      return { uses: 'exec', with: { command: ['sysctl', '-n', ...settings.map((m) => m[1]!)] }, observe: 'stdout', expect: `=~ /^${values.join('\\s+')}$/`, note: 'the kernel rollout runs on' };
    },
  },
  {
    name: 'open files limit',
    automated: true,
    apply: (item) => {
      const m = /ulimit -n\s*(\d+)/.exec(item.text);
      return m ? { uses: 'exec', with: { command: ['ulimit -n'], shell: true }, observe: 'stdout', expect: `>= ${m[1]}`, note: 'a shell builtin: the limit rollout itself gets; a service\'s own is in /proc/PID/limits' } : undefined;
    },
  },
  {
    name: 'mandatory access control',
    automated: true,
    apply: (item) => /\bselinux\b/i.test(item.text)
      ? { uses: 'exec', with: { command: ['getenforce'] }, observe: 'stdout', expect: '== Enforcing' }
      : /\bapparmor\b/i.test(item.text) ? { uses: 'exec', with: { command: ['aa-status', '--enabled'] } } : undefined,
  },
  {
    name: 'SSH password login off',
    automated: true,
    apply: (item) => /\bssh\b[^.]*\b(harden|no password|key[- ]only)|password ?authentication/i.test(item.text)
      ? { uses: 'file', with: { path: '/etc/ssh/sshd_config', pattern: '^\\s*PasswordAuthentication\\s+no\\b', flags: 'im' }, observe: 'contains', note: 'the file only: `sshd -T` shows what Include files add' }
      : undefined,
  },
  {
    name: 'vulnerability scan',
    automated: true,
    apply: (item) => {
      if (!/\b(CVE|vulnerabilit(y|ies))\b[^.]*\b(scan\w*|found|automated)\b|\btrivy\b|\b(image|container|dependency|secrets?) scan/i.test(item.text)) return undefined;
      const command = /secrets? scan/i.test(item.text) ? ['trivy', 'fs', '--scanners', 'secret', '--exit-code', '1', '.']
        : /\b(image|container)\b/i.test(item.text) ? ['trivy', 'image', '--exit-code', '1', '--severity', 'CRITICAL', '${vars.image}']
        : ['trivy', 'fs', '--exit-code', '1', '--severity', 'CRITICAL', '.'];
      return { uses: 'exec', with: { command }, ...(command.includes('${vars.image}') ? { vars: ['image'] } : {}), note: 'accepted findings go in .trivyignore' };
    },
  },
  {
    name: 'SBOM',
    automated: true,
    apply: (item) => /\bSBOM\b|bill of materials/i.test(item.text)
      ? { uses: 'file', with: { path: '${vars.sbom_path}' }, vars: ['sbom_path'] }
      : undefined,
  },
  {
    name: 'promotion gate',
    automated: true,
    apply: (item) => /promotion gate|must pass before prod/i.test(item.text)
      ? { uses: 'evidence.recent', with: { command: 'check', env: '${vars.preprod_env}', maxAge: '24h', latest: true }, vars: ['preprod_env'], note: 'a passing `rollout check` of the pre-production environment, and none failing since' }
      : undefined,
  },
  {
    name: 'SSO in front',
    automated: true,
    apply: (item) => /\b(behind|with|via)\b[^.]*\b(SSO|keycloak|OIDC|oauth2?)\b/i.test(item.text)
      ? { uses: 'http', with: { url: '${vars.ui_url}' }, expect: 'in [301, 302, 303, 307, 308, 401, 403]', vars: ['ui_url'], note: 'a request without a session is sent to log in, never served the page' }
      : undefined,
  },
  {
    name: 'URL',
    automated: true,
    apply: (item) => {
      const url = urlIn(item.text) ?? (item.code ?? []).filter((l) => /^curl\s/.test(l)).map(urlIn).find((u) => u && !/\/\/(localhost|127\.0\.0\.1|\[::1\])\b/.test(u));
      return url ? { uses: 'http', with: { url } } : undefined;
    },
  },
  {
    name: 'command',
    automated: true,
    apply: (item) => {
      const commands = codeSpans(item.text).flatMap((span) => {
        const argv = commandArgv(span);
        return argv ? [{ argv, changes: COMMANDS_THAT_CHANGE.test(span) }] : [];
      });
      // "Deployed via `terraform apply`; drill fresh (`pnpm drill:check`)": the command that only looks is the check.
      const chosen = commands.find((c) => !c.changes) ?? commands[0];
      if (!chosen) return undefined;
      return { uses: 'exec', with: { command: chosen.argv }, ...(chosen.changes ? { changes: true, note: 'this command changes something: it runs on rollout promote/rollback' } : {}) };
    },
  },
  {
    name: 'fenced commands',
    automated: true,
    apply: (item) => {
      const lines = joinContinuations(item.code ?? []).filter((l) => l && !l.startsWith('#'));
      if (!lines.length) return undefined;
      const argvs = lines.map(commandArgv);
      if (argvs.some((a) => !a)) return undefined;
      const cwd = /^(?:from|in|inside)\s+`([^`\s]+)`$/i.exec(item.text)?.[1];
      const changes = lines.some((l) => COMMANDS_THAT_CHANGE.test(l));
      // Several commands are one step only in sequence, stopping at the first failure: that needs a shell.
      const command = argvs.length === 1 ? { command: argvs[0]! } : { command: [lines.join(' && ')], shell: true };
      return { uses: 'exec', with: { ...command, ...(cwd ? { cwd } : {}) }, ...(changes ? { changes: true, note: 'these commands change something: they run on rollout promote/rollback' } : {}) };
    },
  },
  {
    name: 'backup or restore',
    automated: true,
    apply: (item) => /\bbacked up\b|\bbackups? (complete|completed|taken|verified|integrity|fresh|enabled|exists?|with|run|succeeded)\b|\b(final|latest|fresh|nightly|pre-\w+|logical) (backup|dump|snapshot)|\b(restore|recovery) (drill|test|rehearsal)|\brestor(e|ed) (from|on|to)\b|\bsnapshot (created|taken|exists)|\b(create|take) (a |the )?(\w+ )?(backup|snapshot)|\benable \S*\s?backups?|\bPITR\b/i.test(item.text)
      ? { uses: 'backup.fresh', with: { path: '${vars.backup_dir}/*', maxAge: '26h' }, vars: ['backup_dir'], note: 'which artifact, and how fresh: adjust path and maxAge' }
      : undefined,
  },
];

/** The fallback: a person confirms the item. */
export function signOff(item: RunbookItem): NodeSpec {
  return { uses: 'approval', with: { role: FALLBACK_ROLE, prompt: proseOf(item.text) } };
}

/** The node an item becomes, and the rule that made it: its own words first, then the lines under it. */
export function mapItem(item: RunbookItem): { spec: NodeSpec; rule: string; automated: boolean } {
  const readings = item.detail ? [item, { ...item, text: `${item.text} ${item.detail}` }] : [item];
  for (const reading of readings) {
    for (const rule of RULES) {
      const spec = rule.apply(reading);
      if (spec) return { spec, rule: rule.name, automated: rule.automated };
    }
  }
  return { spec: signOff(item), rule: 'sign-off', automated: false };
}
