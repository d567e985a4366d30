import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { rollout, statuses, workspace } from '../helpers/cli.js';

// Records "<event> <id> <ms>" lines so tests can see the order and overlap of real processes.
const TRACE = `#!/bin/sh
echo "start $1 $(date +%s%3N)" >> trace.log
sleep "$2"
echo "end $1 $(date +%s%3N)" >> trace.log
exit "\${3:-0}"
`;

function readTrace(dir: string): Map<string, { start: number; end: number }> {
  const spans = new Map<string, { start: number; end: number }>();
  for (const line of readFileSync(join(dir, 'trace.log'), 'utf8').trim().split('\n')) {
    const [event, id, ms] = line.split(' ');
    const span = spans.get(id!) ?? { start: 0, end: 0 };
    span[event as 'start' | 'end'] = Number(ms);
    spans.set(id!, span);
  }
  return spans;
}

const node = (id: string, seconds: number, extra = '', exit = 0) => `  - id: ${id}
    uses: exec
    with: { command: [./trace.sh, ${id}, "${seconds}", "${exit}"] }
${extra}`;

describe('the runner', () => {
  it('runs a node only after its needs end, and independent nodes at the same time', async () => {
    const dir = workspace({
      'trace.sh': TRACE,
      'rollout.yaml': `version: 1
name: order
environments: { ci: {} }
gates:
${node('a', 0.6)}${node('b', 0.6)}${node('c', 0.6)}${node('d', 0.1, '    needs: [a, b, c]\n')}`,
    });
    const run = await rollout(['check', '--env', 'ci', '--reporter', 'json'], { cwd: dir });
    expect(run.exitCode).toBe(0);
    const spans = readTrace(dir);
    const [a, b, c, d] = ['a', 'b', 'c', 'd'].map((id) => spans.get(id)!);
    // a, b and c overlap: each starts before the others end.
    expect(Math.max(a!.start, b!.start, c!.start)).toBeLessThan(Math.min(a!.end, b!.end, c!.end));
    expect(d!.start).toBeGreaterThanOrEqual(Math.max(a!.end, b!.end, c!.end));
  });

  it('never runs more than --concurrency nodes at once', async () => {
    const dir = workspace({
      'trace.sh': TRACE,
      'rollout.yaml': `version: 1\nname: limit\nenvironments: { ci: {} }\ngates:\n${['a', 'b', 'c', 'd'].map((id) => node(id, 0.3)).join('')}`,
    });
    const run = await rollout(['check', '--env', 'ci', '--concurrency', '2', '--reporter', 'json'], { cwd: dir });
    expect(run.exitCode).toBe(0);
    const spans = [...readTrace(dir).values()];
    // At the instant any node starts, at most 2 are running (itself included). A long node may
    // overlap more than 2 others over its lifetime — one after another — without breaking the bound.
    for (const span of spans) {
      const running = spans.filter((other) => other.start <= span.start && other.end > span.start);
      expect(running.length).toBeLessThanOrEqual(2);
    }
    expect(Math.max(...spans.map((span) => spans.filter((o) => o.start <= span.start && o.end > span.start).length))).toBe(2);
  });

  it('skips the dependents of a failed node, with the reason, and exits 1', async () => {
    const dir = workspace({
      'trace.sh': TRACE,
      'rollout.yaml': `version: 1\nname: skip\nenvironments: { ci: {} }\ngates:\n${node('db', 0, '', 2)}${node('api', 0, '    needs: [db]\n')}${node('ui', 0, '    needs: [api]\n')}${node('other', 0)}`,
    });
    const run = await rollout(['check', '--env', 'ci', '--reporter', 'json'], { cwd: dir });
    expect(run.exitCode).toBe(1);
    expect(statuses(run.json)).toEqual({ db: 'fail', api: 'skipped', ui: 'skipped', other: 'pass' });
    const api = run.json.nodes.find((n: { id: string }) => n.id === 'api');
    expect(api.message).toBe('needs db (fail)');
    expect(readFileSync(join(dir, 'trace.log'), 'utf8')).not.toContain('api');
  });

  it('reports a failing warning node as warn without failing the run', async () => {
    const dir = workspace({
      'trace.sh': TRACE,
      'rollout.yaml': `version: 1\nname: warn\nenvironments: { ci: {} }\ngates:\n${node('soft', 0, '    severity: warning\n', 1)}${node('hard', 0)}`,
    });
    const run = await rollout(['check', '--env', 'ci', '--reporter', 'json'], { cwd: dir });
    expect(run.exitCode).toBe(0);
    expect(statuses(run.json)).toEqual({ soft: 'warn', hard: 'pass' });
    const blocking = await rollout(['check', '--env', 'ci', '--reporter', 'json'], { cwd: workspace({ 'trace.sh': TRACE, 'rollout.yaml': `version: 1\nname: warn\nenvironments: { ci: {} }\ngates:\n${node('soft', 0, '', 1)}` }) });
    expect(blocking.exitCode).toBe(1);
  });

  it('retries a failing node until it passes, interval apart', async () => {
    const dir = workspace({
      'flaky.sh': '#!/bin/sh\nn=$(cat count 2>/dev/null || echo 0); n=$((n+1)); echo $n > count; [ $n -ge 3 ]\n',
      'rollout.yaml': `version: 1
name: retry
environments: { ci: {} }
gates:
  - id: flaky
    uses: exec
    with: { command: [./flaky.sh] }
    retries: 4
    interval: 100ms
`,
    });
    const run = await rollout(['check', '--env', 'ci', '--reporter', 'json'], { cwd: dir });
    expect(run.exitCode).toBe(0);
    expect(run.json.nodes[0]).toMatchObject({ status: 'pass', attempts: 3 });
    expect(readFileSync(join(dir, 'count'), 'utf8').trim()).toBe('3');
  });

  it('the last attempt decides: retries exhausted is a fail', async () => {
    const dir = workspace({ 'rollout.yaml': 'version: 1\nname: r\nenvironments: { ci: {} }\ngates:\n  - { id: never, uses: exec, with: { command: ["false"] }, retries: 2, interval: 50ms }\n' });
    const run = await rollout(['check', '--env', 'ci', '--reporter', 'json'], { cwd: dir });
    expect(run.exitCode).toBe(1);
    expect(run.json.nodes[0]).toMatchObject({ status: 'fail', attempts: 3 });
  });

  it('for: samples a kind without history every interval until the window has passed', async () => {
    const dir = workspace({
      'ok.sh': '#!/bin/sh\ndate +%s%3N >> samples\n',
      'late-fail.sh': '#!/bin/sh\nn=$(cat n 2>/dev/null || echo 0); n=$((n+1)); echo $n > n; [ $n -lt 3 ]\n',
      'rollout.yaml': `version: 1
name: soak
environments: { ci: {} }
gates:
  - { id: steady, uses: exec, with: { command: [./ok.sh] }, for: 1s, interval: 250ms }
  - { id: degrades, uses: exec, with: { command: [./late-fail.sh] }, for: 5s, interval: 100ms }
`,
    });
    const run = await rollout(['check', '--env', 'ci', '--reporter', 'json'], { cwd: dir });
    expect(run.exitCode).toBe(1);
    const [steady, degrades] = run.json.nodes;
    expect(steady.status).toBe('pass');
    expect(steady.samples.length).toBeGreaterThanOrEqual(4);
    const times = readFileSync(join(dir, 'samples'), 'utf8').trim().split('\n').map(Number);
    expect(times[times.length - 1]! - times[0]!).toBeGreaterThanOrEqual(900);
    // The window fails at its first failing sample (the 3rd), long before 5s are up.
    expect(degrades.status).toBe('fail');
    expect(degrades.samples.map((s: { status: string }) => s.status)).toEqual(['pass', 'pass', 'fail']);
    expect(degrades.message).toMatch(/did not hold == 0 at 1 of 3 samples/);
  });

  it('makes one instance per matrix value and needs: waits for all of them', async () => {
    const dir = workspace({
      'trace.sh': TRACE,
      'rollout.yaml': `version: 1
name: matrix
environments: { ci: { vars: { regions: [eu, us] } } }
gates:
  - id: region
    uses: exec
    matrix: { region: "\${vars.regions}" }
    with: { command: [./trace.sh, "\${matrix.region}", "0.2"] }
  - id: weight
    uses: exec
    matrix: { weight: [25, 50] }
    with: { command: [./trace.sh, "w\${matrix.weight}", "0.1"] }
  - id: after
    uses: exec
    needs: [region]
    with: { command: [./trace.sh, after, "0"] }
`,
    });
    const run = await rollout(['check', '--env', 'ci', '--reporter', 'json'], { cwd: dir });
    expect(run.exitCode).toBe(0);
    expect(Object.keys(statuses(run.json)).sort()).toEqual(['after', 'region[eu]', 'region[us]', 'weight[25]', 'weight[50]']);
    const spans = readTrace(dir);
    expect(spans.get('after')!.start).toBeGreaterThanOrEqual(Math.max(spans.get('eu')!.end, spans.get('us')!.end));
    expect(spans.has('w25') && spans.has('w50')).toBe(true);
  });

  it('skips nodes outside --env without resolving their values, and they satisfy needs', async () => {
    const dir = workspace({
      'rollout.yaml': `version: 1
name: envs
environments: { staging: {}, production: {} }
gates:
  - id: prod-signoff
    uses: exec
    environments: [production]
    with: { command: [echo, "\${env:ONLY_IN_PRODUCTION}"] }
  - id: smoke
    uses: exec
    needs: [prod-signoff]
    with: { command: ["true"] }
`,
    });
    const staging = await rollout(['check', '--env', 'staging', '--reporter', 'json'], { cwd: dir, env: { ONLY_IN_PRODUCTION: undefined } });
    expect(staging.exitCode).toBe(0);
    expect(statuses(staging.json)).toEqual({ 'prod-signoff': 'skipped', smoke: 'pass' });
    expect(staging.json.nodes[0].message).toBe('not in environment staging');
    const production = await rollout(['check', '--env', 'production', '--reporter', 'json'], { cwd: dir, env: { ONLY_IN_PRODUCTION: undefined } });
    expect(production.exitCode).toBe(2);
    expect(production.stderr).toMatch(/rollout\.yaml:\d+:\d+: .*ONLY_IN_PRODUCTION is not set/);
  });

  it('a reference that resolves to a number fills a text field (argv); an unquoted literal there stays an error (see malformed)', async () => {
    const dir = workspace({
      'rollout.yaml': 'version: 1\nname: num\nenvironments: { ci: {} }\ngates:\n  - { id: w, uses: exec, matrix: { weight: [25, 50] }, with: { command: [echo, "${matrix.weight}"] }, observe: stdout, expect: ">= 25" }\n',
    });
    const run = await rollout(['check', '--env', 'ci', '--reporter', 'json'], { cwd: dir });
    expect(run.exitCode).toBe(0);
    expect(run.json.nodes.map((n: { observed: unknown }) => n.observed)).toEqual(['25', '50']);
  });

  it('resolves vars that hold references to the environment and to other vars', async () => {
    const dir = workspace({
      'rollout.yaml': 'version: 1\nname: vars\nenvironments:\n  ci: { vars: { base: "${env:ROLLOUT_BASE}", url: "${vars.base}/health" } }\ngates:\n  - { id: a, uses: exec, with: { command: [echo, "${vars.url}"] }, observe: stdout, expect: "== http://svc/health" }\n',
    });
    const run = await rollout(['check', '--env', 'ci', '--reporter', 'json'], { cwd: dir, env: { ROLLOUT_BASE: 'http://svc' } });
    expect(run.exitCode).toBe(0);
    expect(run.json.nodes[0].observed).toBe('http://svc/health');
  });

  it('--only runs the named nodes and their transitive needs, and marks the run partial', async () => {
    const dir = workspace({
      'trace.sh': TRACE,
      'rollout.yaml': `version: 1\nname: only\nenvironments: { ci: {} }\ngates:\n${node('a', 0)}${node('b', 0, '    needs: [a]\n')}${node('c', 0, '    needs: [b]\n')}${node('x', 0)}`,
    });
    const run = await rollout(['check', '--env', 'ci', '--only', 'c', '--reporter', 'json'], { cwd: dir });
    expect(run.exitCode).toBe(0);
    expect(run.json.partial).toBe(true);
    expect(Object.keys(statuses(run.json)).sort()).toEqual(['a', 'b', 'c']);
    expect(run.json.evidence).toMatch(/-check-partial\.md$/);
  });

  it('--dry-run executes no mutating node and says so', async () => {
    const { createServer } = await import('node:http');
    let requests = 0;
    const server = createServer((_req, res) => {
      requests++;
      res.end('ok');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as { port: number }).port;
    try {
      const dir = workspace({
        'rollout.yaml': `version: 1
name: dry
environments: { ci: {} }
gates:
  - { id: look, uses: exec, with: { command: [touch, looked] } }
  - { id: change, uses: exec, mutates: true, with: { command: [touch, changed] } }
  - { id: post, uses: http, mutates: true, with: { url: "http://127.0.0.1:${port}/deploy", method: POST } }
`,
      });
      const run = await rollout(['check', '--env', 'ci', '--dry-run', '--reporter', 'json'], { cwd: dir });
      expect(run.exitCode).toBe(0);
      expect(statuses(run.json)).toEqual({ look: 'pass', change: 'dry-run', post: 'dry-run' });
      expect(run.json.dryRun).toBe(true);
      expect(run.json.evidence).toMatch(/-check-dry-run\.md$/);
      const { existsSync } = await import('node:fs');
      expect(existsSync(join(dir, 'looked'))).toBe(true);
      expect(existsSync(join(dir, 'changed'))).toBe(false);
      expect(requests).toBe(0);
    } finally {
      server.close();
    }
  });

  it('a failing check with an unreachable expectation source is error (exit 3), not pass', async () => {
    const dir = workspace({ 'rollout.yaml': 'version: 1\nname: e\nenvironments: { ci: {} }\ngates:\n  - { id: missing, uses: exec, with: { command: [./no-such-script.sh] } }\n' });
    const run = await rollout(['check', '--env', 'ci', '--reporter', 'json'], { cwd: dir });
    expect(run.exitCode).toBe(3);
    expect(run.json.nodes[0].status).toBe('error');
    expect(run.json.nodes[0].message).toMatch(/command not found/);
  });
});
