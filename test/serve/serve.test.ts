import { execFileSync, spawnSync } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { workspace } from '../helpers/cli.js';
import { startServe, type Served } from '../helpers/serve.js';

const TOKEN = 'ci-token-0123456789abcdef';
const SECRET = 'hook-secret-value-42';
const GITHUB_TOKEN = 'ghs_0123456789abcdefghij';

const GATES = `version: 1
name: api
environments: { staging: {}, prod: {} }
gates:
  - { id: ok, uses: exec, with: { command: ["true"] } }
  - { id: prod-only, uses: exec, with: { command: ["false"] }, environments: [prod] }
  - { id: slow, uses: exec, with: { command: [sleep, "0.4"] } }
rollback:
  triggers:
    - { id: errors, uses: exec, with: { command: [sh, -c, "test ! -f ../fire"] } }
  steps: [ { id: undo, uses: exec, with: { command: ["true"] } } ]
`;
const ERRORING = `version: 1
name: broken
environments: { staging: {} }
gates:
  - { id: metric, uses: exec, with: { command: [sh, -c, "echo not-a-number"] }, observe: stdout, expect: "<= 0.05" }
rollback:
  triggers:
    - { id: unknown, uses: exec, with: { command: [sh, -c, "echo x"] }, observe: stdout, expect: "<= 0.05" }
  steps: [ { id: undo, uses: exec, with: { command: ["true"] } } ]
`;
const HANG = `version: 1
name: hang
environments: { staging: {} }
gates:
  - { id: hangs, uses: exec, with: { command: [sleep, "30"] }, timeout: 1m }
`;
const SECRETIVE = `version: 1
name: secretive
environments: { staging: {} }
gates:
  - { id: leak, uses: exec, with: { command: [sh, -c, "echo token=$T"], env: { T: "\${secret:SERVE_SECRET}" } }, observe: stdout, expect: "== nope" }
  - { id: touch, uses: exec, mutates: true, with: { command: [touch, mutated] } }
`;

function post(url: string, body: unknown, headers: Record<string, string> = {}) {
  return fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: typeof body === 'string' ? body : JSON.stringify(body) });
}
const bearer = { authorization: `Bearer ${TOKEN}` };
const flagger = (namespace: string, metadata: Record<string, string> = {}) => ({ name: 'podinfo', namespace, phase: 'Progressing', checksum: '6b8f5c', metadata });

describe('rollout serve', () => {
  let dir: string;
  let served: Served;
  let github: { url: string; reviews: Array<{ auth: string | undefined; body: any; path: string }>; close(): void };

  beforeAll(async () => {
    dir = workspace({ tokens: `# CI\nci ${TOKEN}\n`, 'hook-secret': `${SECRET}\n`, 'gh-token': `${GITHUB_TOKEN}\n` });
    mkdirSync(join(dir, 'pb'));
    writeFileSync(join(dir, 'pb', 'api.yaml'), GATES);
    writeFileSync(join(dir, 'pb', 'broken.yaml'), ERRORING);
    writeFileSync(join(dir, 'pb', 'secretive.yaml'), SECRETIVE);
    const reviews: Array<{ auth: string | undefined; body: any; path: string }> = [];
    const stand = createServer((req, res) => {
      let text = '';
      req.on('data', (c) => (text += c));
      req.on('end', () => {
        reviews.push({ auth: req.headers.authorization, body: JSON.parse(text), path: req.url ?? '' });
        res.writeHead(204).end();
      });
    });
    await new Promise<void>((r) => stand.listen(0, '127.0.0.1', () => r()));
    github = { url: `http://127.0.0.1:${(stand.address() as AddressInfo).port}`, reviews, close: () => stand.close() };
    served = await startServe(['--playbooks', 'pb', '--token-file', 'tokens', '--github-webhook-secret-file', 'hook-secret', '--github-token-file', 'gh-token'], { cwd: dir, env: { SERVE_SECRET: 'the-served-secret-123', DUMMY_UNUSED: 'x' } });
  });
  afterAll(async () => {
    await served?.stop();
    github?.close();
  });

  it('GET /v1/gates answers the JSON report with 200 whatever the verdict; the evidence names the caller', async () => {
    const pass = await fetch(`${served.url}/v1/gates/api/staging`, { headers: bearer });
    expect(pass.status).toBe(200);
    const body = (await pass.json()) as any;
    expect(body).toMatchObject({ verdict: 'pass', exitCode: 0, env: 'staging' });
    expect(readFileSync(join(dir, body.evidence), 'utf8')).toContain('(caller: ci)');
    const fail = await fetch(`${served.url}/v1/gates/api/prod?only=prod-only`, { headers: bearer });
    expect(fail.status).toBe(200);
    expect(await fail.json()).toMatchObject({ verdict: 'fail', exitCode: 1, partial: true });
  });

  it('POST /v1/check takes { playbook, env, only, at }; a bad request is 400, an unknown playbook 404', async () => {
    const ok = await post(`${served.url}/v1/check`, { playbook: 'api', env: 'staging', only: ['ok'] }, bearer);
    expect(ok.status).toBe(200);
    expect(((await ok.json()) as any).nodes.map((n: any) => n.id)).toEqual(['ok']);
    expect((await post(`${served.url}/v1/check`, { playbook: 'api' }, bearer)).status).toBe(400);
    expect((await post(`${served.url}/v1/check`, { playbook: 'api', env: 'staging', at: '12' }, bearer)).status).toBe(400);
    expect((await post(`${served.url}/v1/check`, { playbook: 'nope', env: 'staging' }, bearer)).status).toBe(404);
    expect((await post(`${served.url}/v1/check`, { playbook: 'api', env: 'qa' }, bearer)).status).toBe(400);
  });

  it('401 without a token, with a wrong one, and for /metrics; /healthz is open', async () => {
    expect((await fetch(`${served.url}/v1/gates/api/staging`)).status).toBe(401);
    expect((await fetch(`${served.url}/v1/gates/api/staging`, { headers: { authorization: 'Bearer wrong' } })).status).toBe(401);
    expect((await post(`${served.url}/v1/check`, { playbook: 'api', env: 'staging' }, { authorization: `Bearer ${TOKEN}x` })).status).toBe(401);
    expect((await fetch(`${served.url}/metrics`)).status).toBe(401);
    // The bearer in ?token= is for Flagger's paths only.
    expect((await fetch(`${served.url}/v1/gates/api/staging?token=${TOKEN}`)).status).toBe(401);
    expect((await fetch(`${served.url}/healthz`)).status).toBe(200);
  });

  it('Flagger gate hooks: 200 pass, 412 fail, 503 error — env from metadata.env, else the namespace; ?token= accepted', async () => {
    const pass = await post(`${served.url}/v1/flagger/api?token=${TOKEN}`, flagger('staging'));
    expect(pass.status).toBe(200);
    const fail = await post(`${served.url}/v1/flagger/api?token=${TOKEN}`, flagger('apps', { env: 'prod', only: 'prod-only' }));
    expect(fail.status).toBe(412);
    const error = await post(`${served.url}/v1/flagger/broken`, { ...flagger('staging'), phase: 'Promoting' }, bearer);
    expect(error.status).toBe(503);
    expect(((await error.json()) as any).verdict).toBe('error');
    expect((await post(`${served.url}/v1/flagger/api`, flagger('staging'))).status).toBe(401);
  });

  it('Flagger rollback hooks: 200 when a blocking trigger fired, 412 when none, 503 when they cannot be evaluated', async () => {
    expect((await post(`${served.url}/v1/flagger/api/rollback?token=${TOKEN}`, { ...flagger('staging'), phase: 'Progressing' })).status).toBe(412);
    writeFileSync(join(dir, 'fire'), '');
    expect((await post(`${served.url}/v1/flagger/api/rollback?token=${TOKEN}`, { ...flagger('staging'), phase: 'Progressing' })).status).toBe(200);
    expect((await post(`${served.url}/v1/flagger/broken/rollback?token=${TOKEN}`, flagger('staging'))).status).toBe(503);
  });

  it('GitHub deployment protection: a bad or missing HMAC is 401 and runs nothing; a good one is reviewed by callback', async () => {
    const payload = (environment: string) => JSON.stringify({ action: 'requested', environment, event: 'deployment', deployment_callback_url: `${github.url}/repos/o/r/actions/runs/7/deployment_protection_rule`, deployment: { id: 42, sha: 'a1b2c3d4e5f6a7b8' } });
    const sign = (body: string, secret = SECRET) => `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
    const before = readdirSync(join(dir, 'evidence', 'prod')).length;
    const bad = await post(`${served.url}/v1/github/deployment-protection?playbook=api`, payload('prod'), { 'x-hub-signature-256': sign(payload('prod'), 'wrong'), 'x-github-event': 'deployment_protection_rule' });
    expect(bad.status).toBe(401);
    expect((await post(`${served.url}/v1/github/deployment-protection?playbook=api`, payload('prod'), { 'x-github-event': 'deployment_protection_rule' })).status).toBe(401);
    expect(readdirSync(join(dir, 'evidence', 'prod'))).toHaveLength(before);

    const good = await post(`${served.url}/v1/github/deployment-protection?playbook=api`, payload('prod'), { 'x-hub-signature-256': sign(payload('prod')), 'x-github-event': 'deployment_protection_rule' });
    expect(good.status).toBe(202);
    const until = Date.now() + 15_000;
    while (!github.reviews.length && Date.now() < until) await new Promise((r) => setTimeout(r, 50));
    expect(github.reviews[0]).toMatchObject({ auth: `Bearer ${GITHUB_TOKEN}`, path: '/repos/o/r/actions/runs/7/deployment_protection_rule', body: { environment_name: 'prod', state: 'rejected' } });
    expect(github.reviews[0]!.body.comment).toMatch(/FAIL — prod-only \(fail\)\. Evidence: evidence\/prod\/.*-api-check\.md/);
    await post(`${served.url}/v1/github/deployment-protection?playbook=api`, payload('staging'), { 'x-hub-signature-256': sign(payload('staging')) });
    while (github.reviews.length < 2 && Date.now() < until + 15_000) await new Promise((r) => setTimeout(r, 50));
    expect(github.reviews[1]!.body).toMatchObject({ environment_name: 'staging', state: 'approved' });
  });

  it('413 for a body over 1 MiB', async () => {
    const big = JSON.stringify({ playbook: 'api', env: 'staging', pad: 'x'.repeat(1024 * 1024 + 10) });
    expect((await post(`${served.url}/v1/check`, big, bearer)).status).toBe(413);
  });

  it('20 identical requests in flight share one run and one evidence file', async () => {
    const before = readdirSync(join(dir, 'evidence', 'staging')).length;
    const answers = await Promise.all(Array.from({ length: 20 }, () => fetch(`${served.url}/v1/gates/api/staging?only=slow`, { headers: bearer }).then((r) => r.json() as Promise<any>)));
    expect(new Set(answers.map((a) => a.evidence)).size).toBe(1);
    expect(readdirSync(join(dir, 'evidence', 'staging')).length).toBe(before + 1);
  });

  it('secrets never reach a response or the log; a mutating gate is a dry run when served', async () => {
    const res = await fetch(`${served.url}/v1/gates/secretive/staging`, { headers: bearer });
    const text = await res.text();
    expect(text).not.toContain('the-served-secret-123');
    expect(JSON.parse(text).nodes.find((n: any) => n.id === 'touch').status).toBe('dry-run');
    expect(readdirSync(dir)).not.toContain('mutated');
    expect(served.stderr()).not.toContain('the-served-secret-123');
    expect(served.stderr()).not.toContain(TOKEN);
  });

  it('/metrics passes promtool check metrics and counts runs', async () => {
    const res = await fetch(`${served.url}/metrics`, { headers: bearer });
    const text = await res.text();
    expect(text).toMatch(/rollout_serve_runs_total\{playbook="api",env="staging",what="check",verdict="pass"\} \d+/);
    const checked = spawnSync('promtool', ['check', 'metrics'], { input: text, encoding: 'utf8' });
    expect(checked.stderr + checked.stdout).toBe('');
    expect(checked.status).toBe(0);
  });

  it('a rotated token file is read again without a restart', async () => {
    writeFileSync(join(dir, 'tokens'), `kargo new-token-abcdef123456\n`);
    await new Promise((r) => setTimeout(r, 20));
    expect((await fetch(`${served.url}/v1/gates/api/staging?only=ok`, { headers: bearer })).status).toBe(401);
    expect((await fetch(`${served.url}/v1/gates/api/staging?only=ok`, { headers: { authorization: 'Bearer new-token-abcdef123456' } })).status).toBe(200);
    writeFileSync(join(dir, 'tokens'), `ci ${TOKEN}\n`);
  });
});

describe('rollout serve under pressure', () => {
  it('a burst beyond --max-runs and the queue is refused with 429 and Retry-After', async () => {
    const dir = workspace({ tokens: `${TOKEN}\n` });
    mkdirSync(join(dir, 'pb'));
    writeFileSync(join(dir, 'pb', 'api.yaml'), GATES);
    const served = await startServe(['--playbooks', 'pb', '--token-file', 'tokens', '--max-runs', '1', '--max-queued', '1'], { cwd: dir });
    try {
      // Distinct questions (different --at) so that coalescing does not merge them.
      const statuses = await Promise.all(Array.from({ length: 6 }, (_, i) => post(`${served.url}/v1/check`, { playbook: 'api', env: 'staging', only: ['slow'], at: `2026-11-0${i + 1}T00:00:00Z` }, bearer).then((r) => ({ status: r.status, retryAfter: r.headers.get('retry-after') }))));
      expect(statuses.filter((s) => s.status === 200)).toHaveLength(2);
      const refused = statuses.filter((s) => s.status === 429);
      expect(refused).toHaveLength(4);
      for (const r of refused) expect(Number(r.retryAfter)).toBeGreaterThan(0);
    } finally {
      await served.stop();
    }
  });

  it('a hung check past --request-timeout is error (200 with verdict error on /v1/gates, 503 for Flagger), never a pass', async () => {
    const dir = workspace({ tokens: `${TOKEN}\n` });
    mkdirSync(join(dir, 'pb'));
    writeFileSync(join(dir, 'pb', 'hang.yaml'), HANG);
    const served = await startServe(['--playbooks', 'pb', '--token-file', 'tokens', '--request-timeout', '1s'], { cwd: dir });
    try {
      const gates = await fetch(`${served.url}/v1/gates/hang/staging`, { headers: bearer });
      expect(gates.status).toBe(200);
      expect(await gates.json()).toMatchObject({ verdict: 'error', exitCode: 3 });
      expect((await post(`${served.url}/v1/flagger/hang?token=${TOKEN}`, flagger('staging'))).status).toBe(503);
    } finally {
      await served.stop();
    }
  });

  it('SIGTERM during a run: the run finishes within the grace, its evidence is written, exit 0', async () => {
    const dir = workspace({ tokens: `${TOKEN}\n` });
    mkdirSync(join(dir, 'pb'));
    writeFileSync(join(dir, 'pb', 'slow.yaml'), 'version: 1\nname: slow\nenvironments: { staging: {} }\ngates:\n  - { id: slow, uses: exec, with: { command: [sleep, "1"] } }\n');
    const served = await startServe(['--playbooks', 'pb', '--token-file', 'tokens'], { cwd: dir });
    const answer = fetch(`${served.url}/v1/gates/slow/staging`, { headers: bearer }).then((r) => r.json() as Promise<any>);
    await new Promise((r) => setTimeout(r, 300));
    served.child.kill('SIGTERM');
    expect(await answer).toMatchObject({ verdict: 'pass' });
    expect(await served.exited).toBe(0);
    expect(readdirSync(join(dir, 'evidence', 'staging'))).toHaveLength(1);
  });

  it('an invalid playbook refuses to start the server: exit 2, every problem listed', () => {
    const dir = workspace({ tokens: `${TOKEN}\n` });
    mkdirSync(join(dir, 'pb'));
    writeFileSync(join(dir, 'pb', 'a.yaml'), 'version: 1\nname: a\nenvironments: { s: {} }\ngates:\n  - { id: x, uses: exce, with: {} }\n');
    writeFileSync(join(dir, 'pb', 'b.yaml'), 'version: 1\nname: b\nenvironments: { s: {} }\ngates:\n  - { id: y, uses: exec, with: { command: [true] }, timeout: soon }\n');
    let status = 0;
    let stderr = '';
    try {
      execFileSync(process.execPath, [join(__dirname, '../../dist/bundle/rollout.js'), 'serve', '--listen', '127.0.0.1:0', '--playbooks', 'pb', '--token-file', 'tokens'], { cwd: dir, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    } catch (error) {
      status = (error as { status: number }).status;
      stderr = (error as { stderr: string }).stderr;
    }
    expect(status).toBe(2);
    expect(stderr).toMatch(/pb\/a\.yaml:5:\d+: .*exce/);
    expect(stderr).toMatch(/pb\/b\.yaml:5:\d+: .*timeout/);
    expect(stderr).toContain('the server was not started');
  });
});
