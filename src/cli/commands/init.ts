import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { basename } from 'node:path';
import { convertRunbook, slugOf } from '../../runbook/index.js';
import { err, out } from '../output.js';

export interface InitOptions {
  playbook?: string;
  from?: string;
  with?: string;
  env?: string;
}

const SYSTEMS = ['kubernetes', 'prometheus', 'postgres'] as const;
type System = (typeof SYSTEMS)[number];

function listOf(value: string | undefined, fallback: string[]): string[] {
  const list = (value ?? '').split(',').map((s) => s.trim()).filter(Boolean);
  return list.length ? [...new Set(list)] : fallback;
}

/** A commented starter that validates as written: one environment per --env, one gate per system. */
export function starterPlaybook(name: string, envs: string[], systems: System[]): string {
  const has = (s: System) => systems.includes(s);
  const lines = [
    '# A starter playbook. Next: rollout validate, then rollout check --env ' + envs[0] + '.',
    '# Every kind and its parameters: rollout checks, rollout checks KIND.',
    'version: 1',
    `name: ${name}`,
    `description: Release gates for ${name}`,
    'defaults: { timeout: 30s }',
    '',
    'environments:',
  ];
  for (const env of envs) {
    lines.push(`  ${env}:`, `    vars: { api_url: "https://api.${env}.example.com" }  # TODO: your service`);
    if (has('kubernetes')) lines.push(`    kubernetes: { context: ${env}, namespace: default }  # kubeconfig context, guarded`);
    if (has('prometheus')) lines.push(`    prometheus: { url: "http://127.0.0.1:9090" }  # TODO: the ${env} Prometheus`);
    if (has('postgres')) lines.push(`    postgres: { url: "\${secret:DATABASE_URL}" }  # a secret: read from the environment, redacted everywhere`);
  }
  lines.push(
    '',
    'gates:  # rollout check --env ENV runs these',
    '  - id: api-healthy',
    '    title: The API answers its health check',
    '    uses: http',
    '    with: { url: "${vars.api_url}/health" }',
    '  - id: smoke',
    '    title: Smoke test passes',
    '    uses: exec',
    '    with: { command: [node, --version] }  # TODO: your smoke test, as argv (no shell)',
  );
  if (has('postgres')) lines.push('  - id: db-version', '    uses: postgres.version', '    expect: ">= 15.0"');
  if (has('prometheus')) lines.push('  - id: no-critical-alerts', '    uses: prometheus.alerts', '    with: { severity: critical }');
  if (has('kubernetes')) lines.push('  - id: no-latest-images', '    title: No workload runs an unpinned :latest image', '    uses: kubernetes.images');
  const last = envs[envs.length - 1]!;
  lines.push(
    '  - id: go',
    '    title: Release captain says go',
    '    uses: approval',
    '    with: { role: Release captain }',
    `    environments: [${last}]`,
    '',
    '# stages:  # rollout promote: gates, then each stage in order',
    '#   - id: deploy',
    '#     steps:',
    '#       - { id: deploy, uses: exec, with: { command: [./deploy.sh] } }',
    '#     verify:',
    '#       - { id: healthy-after-deploy, uses: http, with: { url: "${vars.api_url}/health" }, for: 5m }',
    '# rollback:',
    '#   triggers: []  # rollout watch',
    '#   steps: []     # rollout rollback',
    '',
  );
  return lines.join('\n');
}

export async function initCommand(opts: InitOptions): Promise<number> {
  const file = opts.playbook ?? 'rollout.yaml';
  if (existsSync(file)) {
    err(`${file} exists; rollout init does not overwrite it. Use -p OTHER.yaml, or remove it first.\n`);
    return 2;
  }
  let text: string;
  if (opts.from) {
    let markdown: string;
    try {
      markdown = readFileSync(opts.from, 'utf8');
    } catch (error) {
      err(`${opts.from}: cannot read it (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}); nothing was written.\n`);
      return 2;
    }
    const converted = convertRunbook(markdown, { source: basename(opts.from) });
    if (converted.items === 0) {
      err(`${opts.from}: no checklist items (\`- [ ]\` or numbered steps) found; nothing was written.\n`);
      return 2;
    }
    text = converted.yaml;
    err(`${opts.from}: ${converted.items} checklist items → ${converted.automated} automated checks, ${converted.items - converted.automated} sign-offs\n`);
  } else {
    const systems = listOf(opts.with, []);
    const unknown = systems.filter((s) => !(SYSTEMS as readonly string[]).includes(s));
    if (unknown.length) {
      err(`--with ${unknown.join(',')}: unknown system; expected some of ${SYSTEMS.join(', ')}\n`);
      return 2;
    }
    const envs = listOf(opts.env, ['staging', 'production']);
    const badEnv = envs.find((e) => !/^[a-z0-9][a-z0-9_-]*$/.test(e));
    if (badEnv) {
      err(`--env ${badEnv}: an environment name is lower-case letters, digits, - and _\n`);
      return 2;
    }
    text = starterPlaybook(slugOf(basename(process.cwd())) || 'my-service', envs, systems as System[]);
  }
  try {
    writeFileSync(file, text, { flag: 'wx' });
  } catch (error) {
    err(`${file}: cannot write it (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}).\n`);
    return 2;
  }
  out(`wrote ${file}. Next: rollout validate${file === 'rollout.yaml' ? '' : ` -p ${file}`}\n`);
  return 0;
}
