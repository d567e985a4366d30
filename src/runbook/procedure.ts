import type { CodeBlock } from './parse.js';
import { COMMANDS_THAT_CHANGE, joinContinuations, type NodeSpec } from './rules.js';
import { TRIGGER_HEADING } from './triggers.js';

/**
 * Fenced shell blocks of a procedure ("### Phase 1: Pre-Migration" + ```bash with `# 1. Create
 * production snapshot` and its commands) → stage steps, stage verify, rollback steps and verify.
 */

/** One step of a block: a `# N. title` comment (or a comment run, unnumbered) and the commands under it. */
export interface ProcedureStep {
  /** Line of its title comment, else of its first command. */
  line: number;
  title: string;
  /** Shell lines, continuations joined, comments left out. */
  commands: string[];
  /** The other comment lines under the title ("- Send migration window notice"). */
  notes: string[];
  headings: string[];
}

export type BlockPlace = 'rollback-verify' | 'rollback-steps' | 'stage-verify' | 'stage-steps';

export interface ProcedureNode {
  step: ProcedureStep;
  spec: NodeSpec;
  /** The step rule that made the node. */
  rule: string;
  /** Where the node stands: a verification phase keeps what changes something among its steps. */
  place: BlockPlace;
  /** The stage heading (its parenthetical included) for stage places. */
  heading: string;
}

// The heading names the rollback itself ("Rollback Plan", "7. Rollback", "Abort/Rollback Criteria"), not
// a section that merely mentions it ("Safety Nets: Observability, Rollback, and Guardrails").
export const ROLLBACK_HEADING = /^(?:[\d.]+\s*|phase \w+:?\s*)?(?:manual |automatic |immediate |emergency )?(?:roll ?back|abort)\b|\broll ?back (?:plan|procedure|steps|runbook|sequence)\b/i;
const POST_ROLLBACK = /\bpost-?roll ?back\b|\bafter (the )?roll ?back\b/i;
const PROCEDURE_HEADING = /\b(migrat\w*|cut-?over|deploy\w*|roll-?outs?|phases?|roll ?back|procedures?|upgrades?|releases?|go-?live|sequence)\b/i;
const CHECK_HEADING = /\b(checks?|verif\w*|validat\w*|consistency|smoke|health)\b/i;
const SHELL_LANGUAGES = new Set(['bash', 'sh', 'shell', 'zsh', 'ksh']);

const NUMBERED_COMMENT = /^\s*#\s*\d+[.)]\s+(.*\S)\s*$/;
const COMMENT = /^\s*#(?!!)\s?(.*)$/;

/** Where a block's steps go, first match wins; undefined: not a procedure (no heading says so). */
export const BLOCK_PLACES: Array<{ name: string; place: (headings: string[]) => 'rollback-verify' | 'rollback-steps' | 'stage-verify' | 'stage-steps' | undefined }> = [
  { name: 'rollback check', place: (h) => (isRollback(h) && CHECK_HEADING.test(h.at(-1) ?? '') ? 'rollback-verify' : undefined) },
  { name: 'rollback procedure', place: (h) => (isRollback(h) ? 'rollback-steps' : undefined) },
  { name: 'verification phase', place: (h) => (h.some((x) => PROCEDURE_HEADING.test(x)) && CHECK_HEADING.test(h.at(-1) ?? '') ? 'stage-verify' : undefined) },
  { name: 'procedure phase', place: (h) => (h.some((x) => PROCEDURE_HEADING.test(x)) ? 'stage-steps' : undefined) },
];

function isRollback(headings: string[]): boolean {
  return headings.some((h) => ROLLBACK_HEADING.test(h)) || POST_ROLLBACK.test(headings.at(-1) ?? '');
}

/** A block's steps: split at its `# N.` comments, or (none numbered) at each comment that follows commands. */
export function splitBlock(block: CodeBlock): ProcedureStep[] {
  const numbered = block.lines.some((l) => NUMBERED_COMMENT.test(l.text));
  const steps: Array<ProcedureStep & { raw: string[] }> = [];
  let current: (ProcedureStep & { raw: string[] }) | undefined;
  const start = (line: number, title: string) => {
    current = { line, title, commands: [], notes: [], headings: block.headings, raw: [] };
    steps.push(current);
  };
  for (const { line, text } of block.lines) {
    // A shebang says which shell, and `sh -c` is the one that runs: a `#!` line joined with `&&` would comment out the rest.
    if (!text.trim() || /^\s*#!/.test(text)) continue;
    const comment = COMMENT.exec(text);
    const title = numbered ? NUMBERED_COMMENT.exec(text)?.[1] : comment?.[1]?.trim();
    if (title && (numbered || !current || current.raw.length)) {
      start(line, title.replace(/:$/, ''));
      continue;
    }
    if (comment) {
      if (current && comment[1]!.trim()) current.notes.push(comment[1]!.trim().replace(/^[-*]\s+/, ''));
      continue;
    }
    if (!current) start(line, titleOfHeading(block.headings.at(-1) ?? 'steps').title);
    current!.raw.push(text);
  }
  return steps.map(({ raw, ...step }) => ({ ...step, commands: joinContinuations(raw).filter(Boolean) }));
}

/** `Phase 2: Infrastructure Migration (4 hours, maintenance window)` → its title and the parenthetical. */
export function titleOfHeading(heading: string): { title: string; aside?: string } {
  const m = /^(.*\S)\s*(\([^()]*\))$/.exec(heading);
  return m ? { title: m[1]!, aside: m[2]! } : { title: heading };
}

// Builtins and keywords have no program of their own: they need `sh -c`.
const SHELL_WORDS = new Set(['cd', 'export', 'source', '.', 'exit', 'set', 'unset', 'alias', 'eval', 'exec', 'read', 'ulimit', 'umask', 'trap', 'wait', 'shift', 'return', 'local', 'if', 'then', 'else', 'elif', 'fi', 'for', 'while', 'until', 'do', 'done', 'case', 'esac', 'function', '{', '}']);

/** argv of a shell line that needs no shell (no pipes, redirects, variables, globs, builtins); else undefined. */
export function argvOf(line: string): string[] | undefined {
  const argv: string[] = [];
  let word: string | undefined;
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (/\s/.test(c)) {
      if (word !== undefined) argv.push(word);
      word = undefined;
    } else if (c === "'" || c === '"') {
      const end = line.indexOf(c, i + 1);
      if (end < 0) return undefined;
      const inner = line.slice(i + 1, end);
      if (c === '"' && /[$`\\]/.test(inner)) return undefined;
      word = (word ?? '') + inner;
      i = end;
    } else if (/[|&;<>()$`*?[\]{}\\!]/.test(c) || ((c === '#' || c === '~') && word === undefined)) {
      return undefined;
    } else word = (word ?? '') + c;
  }
  if (word !== undefined) argv.push(word);
  const program = argv[0];
  if (!program || SHELL_WORDS.has(program) || /^[A-Za-z_]\w*=/.test(program)) return undefined;
  return argv;
}

// Lines that `a && b` would break: blocks (if, for, functions), heredocs, and `#` (a trailing comment would swallow the rest).
const CONTROL_LINE = /^(if|then|else|elif|fi|for|while|until|do|done|case|esac)\b|;\s*(then|do)\s*$|^\}|\{\s*$|<<|#/;

/** The commands as one `sh -c` script: `a && b` as item blocks do, or `set -e` + the lines when `&&` would change what they mean. */
export function scriptOf(commands: string[]): string {
  if (commands.length === 1) return commands[0]!;
  return commands.some((l) => CONTROL_LINE.test(l)) ? ['set -e', ...commands].join('\n') : commands.join(' && ');
}

/** Words of a shell segment, quotes removed: for reading what it does, never for running it. */
function wordsOf(segment: string): string[] {
  return [...segment.matchAll(/"((?:[^"\\]|\\.)*)"|'([^']*)'|(\S+)/g)].map((m) => m[1] ?? m[2] ?? m[3]!);
}

/** A line cut at unquoted `;`, `|`, `&&`, `||`, `&`. */
function segmentsOf(line: string): string[] | undefined {
  const segments: string[] = [];
  let current = '';
  let quote: string | undefined;
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (quote) {
      if (c === quote) quote = undefined;
      current += c;
    } else if (c === '"' || c === "'") {
      quote = c;
      current += c;
    } else if (c === '`' || (c === '$' && line[i + 1] === '(')) {
      return undefined; // a command inside a command: not read here
    } else if (c === ';' || c === '|' || c === '&') {
      if (line[i + 1] === c) i++;
      segments.push(current);
      current = '';
    } else current += c;
  }
  if (quote) return undefined;
  segments.push(current);
  return segments.map((s) => s.trim()).filter(Boolean);
}

const CHECK_WORDS = /(?:^|[-_.:])(checks?|verify|verification|validate|validation|health|healthcheck|status|tests?|smoke|lint|probe|readiness)(?=[-_.:]|$)/i;
const NEUTRAL = new Set(['echo', 'printf', 'true', 'false', '[', 'test', ':', 'exit', 'sleep']);
const LOOKING_PROGRAMS = new Set(['ls', 'cat', 'grep', 'head', 'tail', 'wc', 'df', 'du', 'stat', 'pg_isready', 'date', 'whoami', 'hostname', 'uptime', 'free', 'dig', 'nslookup', 'host', 'id', 'sha256sum', 'md5sum', 'jq', 'pytest']);
const LOOKING_SUBCOMMANDS: Record<string, RegExp> = {
  kubectl: /^(get|describe|top|version|explain|cluster-info|api-resources|logs)$/,
  helm: /^(status|list|ls|history|get|lint|template|show|version)$/,
  docker: /^(ps|inspect|info|version|images|logs)$/,
  git: /^(status|log|diff|show|rev-parse|describe|ls-files|ls-remote)$/,
  patronictl: /^(list|history|show-config|topology|version)$/,
  systemctl: /^(status|is-active|is-enabled|is-failed|show)$/,
};
const DOCKER_OBJECTS = new Set(['service', 'stack', 'node', 'container', 'image', 'network', 'volume', 'compose']);
// Functions a read-only query may call; any other (pg_terminate_backend, pg_reload_conf, nextval) may change something.
const LOOKING_SQL_FUNCTIONS = new Set(['count', 'sum', 'avg', 'min', 'max', 'now', 'coalesce', 'version', 'current_setting', 'pg_is_in_recovery', 'pg_size_pretty', 'pg_database_size', 'pg_relation_size', 'pg_total_relation_size', 'pg_wal_lsn_diff', 'pg_current_wal_lsn', 'pg_last_wal_replay_lsn', 'pg_last_xact_replay_timestamp', 'extract', 'round', 'in']);

/** SQL that only reads: SELECT/SHOW statements, no INTO, only functions known to look. */
export function sqlOnlyReads(sql: string): boolean {
  const statements = sql.split(';').map((s) => s.trim()).filter(Boolean);
  return statements.length > 0 && statements.every((s) => /^(select|show|explain(?!\s+analyze))\b/i.test(s) && !/\binto\b/i.test(s)
    && [...s.matchAll(/([A-Za-z_][\w.]*)\s*\(/g)].every((m) => LOOKING_SQL_FUNCTIONS.has(m[1]!.toLowerCase())));
}

/** Whether one command (no `;`, `|`, `&&`) plainly only looks; unknown programs and words that change things do not. */
function segmentLooks(segment: string): boolean {
  const words = wordsOf(segment.replace(/^(?:(?:if|then|else|elif|while|until|do|!)\s+)+/, '')).filter((w, i, all) => !(all.slice(0, i + 1).every((x) => /^[A-Za-z_]\w*=/.test(x))));
  const [program, ...args] = words;
  if (!program || /^(fi|done|esac|then|else|do|\{|\})$/.test(program)) return true;
  const name = program.split('/').pop()!;
  if (NEUTRAL.has(name)) return true;
  if (COMMANDS_THAT_CHANGE.test(segment)) return false;
  if (LOOKING_PROGRAMS.has(name)) return true;
  if (name === 'psql') {
    if (args.some((a) => a === '-f' || a.startsWith('--file'))) return false;
    const sql = args.flatMap((a, i) => (a === '-c' || a === '--command' ? [args[i + 1] ?? ''] : a.startsWith('--command=') ? [a.slice(10)] : []));
    return sql.length > 0 && sql.every(sqlOnlyReads);
  }
  if (name === 'curl') return !/(^|\s)(-X|--request)\s*(?!GET\b|HEAD\b)\w+|(^|\s)(-d|--data\S*|-F|--form|-T|--upload-file|-o|-O|--output|--remote-name)(\s|=|$)/.test(segment);
  if (name === 'docker' && DOCKER_OBJECTS.has(args[0] ?? '')) return /^(ls|ps|inspect|services|logs|config)$/.test(args[1] ?? '');
  if (LOOKING_SUBCOMMANDS[name]) return LOOKING_SUBCOMMANDS[name]!.test(args[0] ?? '');
  if (['aws', 'gcloud', 'az'].includes(name)) return args.some((a) => /^(describe|list|get)(-|$)/.test(a));
  if (['make', 'npm', 'pnpm', 'yarn', 'just'].includes(name)) return args.filter((a) => a !== 'run' && !a.startsWith('-')).slice(0, 1).some((t) => CHECK_WORDS.test(t));
  if (['python', 'python3', 'bash', 'sh', 'node'].includes(name)) return CHECK_WORDS.test((args[0] ?? '').split('/').pop()!.replace(/\.\w+$/, ''));
  // A script whose name says it checks (db_health_check.py, verify-backups.sh, validate-pr.sh).
  return program.includes('/') && CHECK_WORDS.test(name.replace(/\.\w+$/, ''));
}

/** Whether every command plainly only looks: a redirect into a file, a command substitution or an unknown program changes that. */
export function commandsOnlyLook(commands: string[]): boolean {
  if (!commands.length) return false;
  return commands.every((line) => {
    const segments = segmentsOf(line.replace(/\d?>&\d|\d?>\s*\/dev\/null/g, ''));
    return segments !== undefined && !segments.some((s) => /(^|[^-=])[<>]/.test(s.replace(/"[^"]*"|'[^']*'/g, ''))) && segments.every(segmentLooks);
  });
}

const PLACEHOLDER = /<[A-Za-z][\w .\/-]*>|\.\.\.|…|\bTODO\b|\$\{/;
// "1. neither is this", "Note: ..." in a fence: prose, not a program to run.
const NOT_A_COMMAND = /^(\d+[.)]|[A-Za-z][\w-]*:)(\s|$)/;
const NEVER_ENDS = /\s(-w|--watch|--follow)\b|\blogs\b.*\s-f\b|\btail\s+-f\b|\bport-forward\b|^watch\s/;

const FALLBACK_ROLE = 'Release owner';

/** What a step becomes, first match wins. */
export const PROCEDURE_RULES: Array<{ name: string; automated: boolean; apply: (step: ProcedureStep) => NodeSpec | undefined }> = [
  {
    name: 'command to fill in',
    automated: false,
    // `${…}` too: a playbook would read it as its own reference, never the shell's variable.
    apply: (step) => step.commands.some((c) => PLACEHOLDER.test(c) || NEVER_ENDS.test(` ${c}`) || NOT_A_COMMAND.test(c))
      ? { uses: 'approval', with: { role: FALLBACK_ROLE, prompt: `${step.title} (run: ${step.commands.join('; ')})` }, note: 'a placeholder, a shell ${variable}, prose or a command that never ends: write the command to run' }
      : undefined,
  },
  {
    name: 'comment only',
    automated: false,
    apply: (step) => step.commands.length ? undefined : { uses: 'approval', with: { role: FALLBACK_ROLE, prompt: step.notes.length ? `${step.title}: ${step.notes.join('; ')}` : step.title } },
  },
  {
    name: 'one command',
    automated: true,
    apply: (step) => {
      const argv = step.commands.length === 1 ? argvOf(step.commands[0]!) : undefined;
      return argv ? { uses: 'exec', with: { command: argv }, mutates: !commandsOnlyLook(step.commands) } : undefined;
    },
  },
  {
    name: 'shell script',
    automated: true,
    apply: (step) => ({ uses: 'exec', with: { command: [scriptOf(step.commands)], shell: true }, mutates: !commandsOnlyLook(step.commands) }),
  },
];

/** Every procedure block's steps as nodes, in document order. */
export function importProcedures(blocks: CodeBlock[]): ProcedureNode[] {
  const nodes: ProcedureNode[] = [];
  for (const block of blocks) {
    if (!SHELL_LANGUAGES.has(block.language) || TRIGGER_HEADING.test(block.headings.at(-1) ?? '')) continue;
    const place = BLOCK_PLACES.map((p) => p.place(block.headings)).find(Boolean);
    if (!place) continue;
    const steps = splitBlock(block);
    // Notes in a fence ("# Day 1: Baseline established") are not a procedure; numbered ones are.
    if (!steps.some((s) => s.commands.length) && !block.lines.some((l) => NUMBERED_COMMENT.test(l.text))) continue;
    for (const step of steps) {
      const rule = PROCEDURE_RULES.find((r) => r.apply(step))!;
      const spec = rule.apply(step)!;
      // A verification phase checks with what only looks; what changes something stays a step, in order.
      const here = place === 'stage-verify' && spec.mutates !== false && spec.uses !== 'approval' ? 'stage-steps' : place;
      nodes.push({ step, spec, rule: rule.name, place: here, heading: block.headings.at(-1) ?? 'steps' });
    }
  }
  return nodes;
}
