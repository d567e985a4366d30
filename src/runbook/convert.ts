import { parseRunbook, type RunbookItem } from './parse.js';
import { mapItem, proseOf, type NodeSpec } from './rules.js';
import { importProcedures, ROLLBACK_HEADING, titleOfHeading } from './procedure.js';
import { mapTrigger, parseTriggerLines, TRIGGER_HEADING } from './triggers.js';

export interface ConvertedRunbook {
  /** The playbook, YAML with comments (each node says the line it came from). */
  yaml: string;
  items: number;
  automated: number;
  /** Node id → kind of each checklist item, in document order (procedure blocks' nodes are not items). */
  kinds: Record<string, string>;
  /** Rollback triggers made from the runbook's conditions (not counted in `items`). */
  triggers: number;
  /** Nodes made from fenced shell blocks of procedures (not counted in `items`): stage steps, the stages holding them, rollback steps, verify nodes. */
  procedure: { steps: number; stages: number; rollbackSteps: number; verify: number };
}

/**
 * What a placeholder starts as. Each keeps its node from passing until it is filled in: a job
 * no series carries (error), a host that does not resolve (fail), a name no object has.
 */
const PLACEHOLDERS: Record<string, string> = {
  api_url: 'https://api.example.com', api_host: 'api.example.com', dns_target: 'todo.example.com', host: 'todo.example.com', ui_url: 'https://todo.example.com/',
  // Not /var/backups itself: Debian refreshes dpkg's files there every day, a backup that is not one.
  backup_dir: '/var/backups/todo', workload: 'todo', namespace: 'todo', secret_name: 'todo', selector: 'app=todo', certificate: 'todo', argocd_app: 'todo',
  job: 'todo', probe_job: 'todo', receiver: 'todo', pgbouncer_url: 'postgres://pgbouncer@todo.example.com:6432/pgbouncer', etcd_url: 'http://todo.example.com:2379',
  migrations_dir: './migrations', image: 'todo', sbom_path: './sbom.json', preprod_env: 'todo', github_repo: 'todo/todo', branch: 'todo',
};

/** `verify`: after the steps (a stage's, the rollback's), not one of them. */
type Place = { section: 'gates' } | { section: 'stage'; heading: string; verify?: boolean } | { section: 'rollback'; verify?: boolean } | { section: 'trigger' };

interface Node {
  id: string;
  item: RunbookItem;
  spec: NodeSpec;
  automated: boolean;
  place: Place;
}

const GATE_HEADING = /checklist|readiness|gate|pre-?checks?|verif|criteria|sign[- ]?off|approv|validation|success|health/i;

/** Where an item goes: rollback headings → rollback steps; numbered procedures → stage steps; the rest → gates. */
function placeOf(item: RunbookItem, numberedHeadings: Set<string>): Place {
  if (TRIGGER_HEADING.test(item.headings.at(-1) ?? '')) return { section: 'trigger' };
  if (item.headings.some((h) => ROLLBACK_HEADING.test(h))) return { section: 'rollback' };
  const nearest = item.headings.at(-1) ?? '';
  if (numberedHeadings.has(item.headings.join('\u0000')) && !GATE_HEADING.test(nearest)) return { section: 'stage', heading: nearest || 'steps' };
  return { section: 'gates' };
}

export function slugOf(text: string, maxLength = 40): string {
  const slug = text.toLowerCase().normalize('NFKD').replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '');
  if (slug.length <= maxLength) return slug;
  const cut = slug.slice(0, maxLength);
  return (cut.lastIndexOf('-') > maxLength / 2 ? cut.slice(0, cut.lastIndexOf('-')) : cut).replace(/-+$/, '');
}

/**
 * A value as YAML flow text. Titles and parameters are interpolated, so every `${` is defused
 * except the references the rule itself wrote (`allowed`): text from the runbook never reaches
 * a variable or a secret.
 */
function scalar(value: unknown, allowed: ReadonlySet<string> = new Set()): string {
  if (typeof value === 'string') return JSON.stringify(value.replace(/\$\{[^}]*\}?/g, (ref) => (allowed.has(ref) ? ref : ref.replace('${', '$ {'))));
  if (Array.isArray(value)) return `[${value.map((v) => scalar(v, allowed)).join(', ')}]`;
  if (value && typeof value === 'object') return `{ ${Object.entries(value).map(([k, v]) => `${k}: ${scalar(v, allowed)}`).join(', ')} }`;
  return JSON.stringify(value);
}

/** The references a node's rule wrote into its parameters: its variables, secrets and matrix names. */
function referencesOf(spec: NodeSpec): Set<string> {
  return new Set([...(spec.vars ?? []).map((v) => `\${vars.${v}}`), ...(spec.secrets ?? []).map((v) => `\${secret:${v}}`), ...Object.keys(spec.matrix ?? {}).map((m) => `\${matrix.${m}}`)]);
}

function renderNode(node: Node, indent: string, needs?: string): string {
  const { spec, item } = node;
  const lines = [`${indent}- id: ${node.id}  # from line ${item.line}${node.automated ? '' : spec.uses === 'approval' && spec.with.role === 'Release owner' ? '; TODO: automate' : ''}`];
  lines.push(`${indent}  title: ${scalar(proseOf(item.text).slice(0, 200))}`);
  lines.push(`${indent}  uses: ${spec.uses}`);
  const refs = referencesOf(spec);
  if (spec.matrix) lines.push(`${indent}  matrix: ${scalar(spec.matrix)}`);
  const entries = Object.entries(spec.with);
  if (entries.length) lines.push(`${indent}  with: ${scalar(spec.with, refs)}`);
  if (spec.observe) lines.push(`${indent}  observe: ${scalar(spec.observe)}`);
  if (spec.expect) lines.push(`${indent}  expect: ${scalar(spec.expect, refs)}`);
  if (spec.for) lines.push(`${indent}  for: ${spec.for}`);
  // A verify node that only looks says nothing: looking is what verify nodes do.
  if (spec.mutates !== undefined && !(spec.mutates === false && node.place.section !== 'gates' && 'verify' in node.place && node.place.verify)) lines.push(`${indent}  mutates: ${spec.mutates}`);
  if (needs) lines.push(`${indent}  needs: [${needs}]`);
  if (spec.note) lines.push(`${indent}  # review: ${spec.note}`);
  return lines.join('\n');
}

function isVerify(node: Node): boolean {
  return (node.place.section === 'stage' || node.place.section === 'rollback') && node.place.verify === true;
}

/** `; 13 procedure steps in 3 stages, 6 rollback steps, 6 verify checks`, or '' when the runbook has no procedure blocks. */
export function describeProcedure(counts: ConvertedRunbook['procedure']): string {
  if (!counts.steps && !counts.rollbackSteps && !counts.verify) return '';
  const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
  return `; ${plural(counts.steps, 'procedure step')} in ${plural(counts.stages, 'stage')}, ${plural(counts.rollbackSteps, 'rollback step')}, ${plural(counts.verify, 'verify check')}`;
}

/** Markdown go-live checklist → playbook YAML. Pure: the caller reads and writes files. */
export function convertRunbook(markdown: string, options: { source?: string } = {}): ConvertedRunbook {
  const parsed = parseRunbook(markdown);
  const numberedHeadings = new Set(parsed.items.filter((i) => i.numbered).map((i) => i.headings.join('\u0000')));
  const used = new Set<string>();
  const unique = (base: string) => {
    let id = /^[a-z0-9]/.test(base) ? base : `item-${base}`.replace(/-+$/, '');
    for (let n = 2; used.has(id); n++) id = `${base}-${n}`;
    used.add(id);
    return id;
  };
  const nodes: Node[] = parsed.items.map((item) => {
    const place = placeOf(item, numberedHeadings);
    let { spec, automated } = place.section === 'trigger' ? { spec: mapTrigger(item.text).spec, automated: true } : mapItem(item);
    // A gate observes; a command that changes things would run on every `rollout check`.
    if (place.section === 'gates' && spec.changes) {
      spec = { uses: 'approval', with: { role: 'Release owner', prompt: `${proseOf(item.text)} (run: ${(spec.with.command as string[]).join(' ')})` }, note: 'a command that changes something: move it to a stage to run it' };
      automated = false;
    }
    // A prompt says what this item says, not the paragraph under it that a rule also read.
    if (spec.uses === 'approval' && typeof spec.with.prompt === 'string' && !spec.note) spec = { ...spec, with: { ...spec.with, prompt: proseOf(item.text) } };
    return { id: unique(slugOf(proseOf(item.text)) || `item-${item.line}`), item, spec, automated, place };
  });
  // Conditions that are not checklist items (a fenced list, a "Trigger: a, b, or c" line) are triggers too.
  const triggers: Node[] = [
    ...nodes.filter((n) => n.place.section === 'trigger'),
    ...parseTriggerLines(markdown).map((line): Node => {
      const item: RunbookItem = { line: line.line, text: line.text, headings: line.headings, numbered: false, indent: 0, detail: '' };
      return { id: unique(slugOf(line.text) || `trigger-${line.line}`), item, spec: mapTrigger(line.text).spec, automated: true, place: { section: 'trigger' } };
    }),
  ].sort((a, b) => a.item.line - b.item.line);
  // Fenced shell blocks of a procedure: their `# N. title` steps, after the checklist's ids so those stay as they were.
  const procedure: Node[] = importProcedures(parsed.blocks).map((p): Node => {
    const item: RunbookItem = { line: p.step.line, text: p.step.title, headings: p.step.headings, numbered: true, indent: 0, detail: '' };
    const place: Place = p.place.startsWith('rollback') ? { section: 'rollback', verify: p.place === 'rollback-verify' } : { section: 'stage', heading: p.heading, verify: p.place === 'stage-verify' };
    return { id: unique(slugOf(p.step.title) || `step-${p.step.line}`), item, spec: p.spec, automated: p.spec.uses !== 'approval', place };
  });
  const counts = {
    steps: procedure.filter((n) => n.place.section === 'stage' && !isVerify(n)).length,
    stages: new Set(procedure.flatMap((n) => (n.place.section === 'stage' ? [n.place.heading] : []))).size,
    rollbackSteps: procedure.filter((n) => n.place.section === 'rollback' && !isVerify(n)).length,
    verify: procedure.filter(isVerify).length,
  };

  const name = slugOf(parsed.title ?? options.source?.replace(/\.[^.]*$/, '') ?? 'imported-runbook', 60) || 'imported-runbook';
  const everyNode = [...nodes, ...triggers.filter((t) => !nodes.includes(t)), ...procedure];
  const vars = new Set(everyNode.flatMap((n) => n.spec.vars ?? []));
  const secrets = new Set(everyNode.flatMap((n) => n.spec.secrets ?? []));
  const systems = new Set(everyNode.flatMap((n) => (n.spec.system ? [n.spec.system] : [])));
  const out: string[] = [];
  out.push(`# Imported by \`rollout import runbook\`${options.source ? ` from ${options.source}` : ''}: ${nodes.length} checklist items, ${nodes.filter((n) => n.automated).length} automated, the rest sign-offs${triggers.length ? `; ${triggers.length} rollback triggers` : ''}${describeProcedure(counts)}.`);
  out.push('# Review every node: kinds were guessed from the wording, placeholders are under environments.');
  out.push('version: 1');
  out.push(`name: ${name}`);
  if (parsed.title) out.push(`description: ${scalar(proseOf(parsed.title))}`);
  out.push('', 'environments:', '  production:');
  if (vars.size) {
    out.push('    vars:  # TODO: the runbook does not say these');
    for (const v of [...vars].sort()) out.push(`      ${v}: ${scalar(PLACEHOLDERS[v] ?? 'TODO')}`);
  }
  if (secrets.size) out.push(`    # secrets, read from the environment when a node needs them: ${[...secrets].sort().join(', ')}`);
  if (systems.has('postgres')) out.push('    postgres: { url: "${secret:DATABASE_URL}" }');
  if (systems.has('alertmanager')) out.push('    prometheus: { url: "http://127.0.0.1:9090", alertmanagerUrl: "http://127.0.0.1:9093" }  # TODO: your Prometheus and Alertmanager');
  else if (systems.has('prometheus')) out.push('    prometheus: { url: "http://127.0.0.1:9090" }  # TODO: your Prometheus');
  if (systems.has('kubernetes')) out.push('    kubernetes: { context: production, namespace: default }  # TODO: your context and namespace');

  /** `inOrder`: a numbered procedure, each step after the one before (steps are otherwise a DAG that runs at once). */
  const renderGroup = (group: Node[], indent: string, inOrder = false) => {
    const text: string[] = [];
    let path = '';
    group.forEach((node, index) => {
      const here = node.item.headings.join(' › ');
      if (here !== path && here) text.push(`${indent}# ${here}`);
      path = here;
      text.push(renderNode(node, indent, inOrder && index > 0 ? group[index - 1]!.id : undefined));
    });
    return text;
  };

  const gates = nodes.filter((n) => n.place.section === 'gates');
  if (gates.length) out.push('', 'gates:', ...renderGroup(gates, '  '));

  const placed = [...nodes, ...procedure].sort((a, b) => a.item.line - b.item.line);
  const stages = new Map<string, Node[]>();
  for (const node of placed) if (node.place.section === 'stage') stages.set(node.place.heading, [...(stages.get(node.place.heading) ?? []), node]);
  if (stages.size) {
    out.push('', 'stages:');
    for (const [heading, members] of stages) {
      // "(4 hours, maintenance window)" says when, not what: a comment, out of the id and title.
      const { title, aside } = titleOfHeading(heading);
      out.push(`  - id: ${unique(slugOf(title) || 'stage')}  # from line ${members[0]!.item.line}${aside ? `; ${aside}` : ''}`, `    title: ${scalar(proseOf(title))}`);
      const ownHeading = (line: string) => !line.startsWith('      # ') || !line.endsWith(heading);
      const steps = members.filter((n) => !isVerify(n));
      const verify = members.filter(isVerify);
      if (steps.length) out.push('    steps:', ...renderGroup(steps, '      ', true).filter(ownHeading));
      if (verify.length) out.push('    verify:', ...renderGroup(verify, '      ').filter(ownHeading));
    }
  }

  const rollback = placed.filter((n) => n.place.section === 'rollback' && !isVerify(n));
  const rollbackVerify = placed.filter((n) => n.place.section === 'rollback' && isVerify(n));
  if (rollback.length || rollbackVerify.length || triggers.length) out.push('', 'rollback:');
  if (triggers.length) out.push('  triggers:  # each states the HEALTHY condition: it fires when that fails throughout for:', ...renderGroup(triggers, '    '));
  if (rollback.length) out.push('  steps:', ...renderGroup(rollback, '    ', rollback.every((n) => n.item.numbered)));
  if (rollbackVerify.length) out.push('  verify:  # after the rollback', ...renderGroup(rollbackVerify, '    '));

  return {
    yaml: `${out.join('\n')}\n`,
    items: nodes.length,
    automated: nodes.filter((n) => n.automated).length,
    kinds: Object.fromEntries(nodes.map((n) => [n.id, n.spec.uses])),
    triggers: triggers.length,
    procedure: counts,
  };
}
