import type { RunbookItem } from './parse.js';

/** What a rule makes of an item: a node's kind and parameters, and what it needs declared. */
export interface NodeSpec {
  uses: string;
  with: Record<string, unknown>;
  observe?: string;
  expect?: string;
  /** A placeholder the environment must declare (`${vars.NAME}`). */
  vars?: string[];
  /** The connection the kind reads from `environments.<env>`. */
  system?: 'postgres' | 'prometheus' | 'kubernetes';
  /** Says what to review: the rule guessed something the text does not say. */
  note?: string;
  /** A command that looks like it changes something: fine as a step, never as a gate. */
  changes?: boolean;
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
  // Commands that follow or watch never end by themselves.
  if (/\s(-w|--watch|-f\b.*\blogs|logs\b.*\s-f)\b/.test(` ${span}`) || /\blogs\s+(-\w*f|--follow)/.test(span)) return undefined;
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

const COMMANDS_THAT_CHANGE = /\b(apply|push|deploy|release|migrate|build|delete|undo|seed|install|restore|create|rotate|upgrade|drop|scale|rollout|tag)\b/;

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
    name: 'alerts quiet',
    automated: true,
    apply: (item) => /alertmanager (is )?quiet|no (critical )?(firing )?alerts? (are )?firing|no firing alerts|alerts? (are )?quiet/i.test(item.text)
      ? { uses: 'prometheus.alerts', with: {}, system: 'prometheus' }
      : undefined,
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
    apply: (item) => /\bscrape (jobs|targets|configs?)\b|\bprometheus (is )?scraping|^\/metrics\b/i.test(item.text)
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
    name: 'URL',
    automated: true,
    apply: (item) => {
      const url = /https?:\/\/[^\s`)>"'\]]+/.exec(item.text)?.[0]?.replace(/[.,;:]+$/, '');
      return url ? { uses: 'http', with: { url } } : undefined;
    },
  },
  {
    name: 'command',
    automated: true,
    apply: (item) => {
      for (const span of codeSpans(item.text)) {
        const argv = commandArgv(span);
        if (!argv) continue;
        const changes = COMMANDS_THAT_CHANGE.test(span);
        return { uses: 'exec', with: { command: argv }, ...(changes ? { changes, note: 'this command changes something: it runs on rollout promote/rollback' } : {}) };
      }
      return undefined;
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
