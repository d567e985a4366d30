import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Redactor } from '../../src/secrets/redactor.js';
import { rollout, workspace } from '../helpers/cli.js';
import { cluster, sql } from '../helpers/postgres/index.js';

const SECRET = 'hunter2-Tr0ub4dor&3 s3cr3t/+x';
const forms = [
  SECRET,
  Buffer.from(SECRET).toString('base64'),
  Buffer.from(SECRET).toString('base64url'),
  encodeURIComponent(SECRET),
];

// A child that leaks the secret every way it can: plain, base64 (both alphabets), URL-encoded,
// inside a longer base64 text (an HTTP Basic header), and split across two writes.
const LEAKY = `#!/usr/bin/env node
const s = process.env.API_TOKEN;
console.log('plain ' + s);
console.log('b64 ' + Buffer.from(s).toString('base64'));
console.log('b64url ' + Buffer.from(s).toString('base64url'));
console.log('url ' + encodeURIComponent(s));
console.log('basic ' + Buffer.from('admin:' + s).toString('base64'));
process.stdout.write('split ' + s.slice(0, 7));
setTimeout(() => { process.stdout.write(s.slice(7) + '\\n'); process.exit(1); }, 100);
`;

describe('secrets', () => {
  it('never reach the terminal, JSON, JUnit or evidence, in any encoded form', async () => {
    const dir = workspace({
      'leaky.mjs': LEAKY,
      'rollout.yaml': `version: 1
name: secrets
environments: { ci: {} }
gates:
  - id: leak
    uses: exec
    with: { command: [node, leaky.mjs], env: { API_TOKEN: "\${secret:API_TOKEN}" } }
    observe: stdout
    expect: "== nothing"
  - id: title-leak
    title: "token is \${secret:API_TOKEN}"
    uses: exec
    with: { command: [node, leaky.mjs], env: { API_TOKEN: "\${secret:API_TOKEN}" } }
`,
    });
    const env = { API_TOKEN: SECRET };
    const outputs: string[] = [];
    for (const reporter of ['plain', 'json', 'junit', 'markdown']) {
      const run = await rollout(['check', '--env', 'ci', '--reporter', reporter], { cwd: dir, env });
      expect(run.exitCode).toBe(1);
      outputs.push(run.stdout, run.stderr);
    }
    await rollout(['check', '--env', 'ci', '--reporter', 'junit', '--output', join(dir, 'report.xml')], { cwd: dir, env });
    outputs.push(readFileSync(join(dir, 'report.xml'), 'utf8'));
    for (const file of readdirSync(join(dir, 'evidence', 'ci'))) outputs.push(readFileSync(join(dir, 'evidence', 'ci', file), 'utf8'));
    const plan = await rollout(['plan', '--env', 'ci'], { cwd: dir, env });
    outputs.push(plan.stdout);
    const all = outputs.join('\n');
    // The run really did see and print the secret's forms: they were masked, not absent.
    expect(all).toContain('plain ***');
    expect(all).toContain('split ***');
    for (const form of forms) expect(all).not.toContain(form);
    expect(all).not.toContain(Buffer.from(`admin:${SECRET}`).toString('base64').slice(8, 30));
    expect(all).not.toContain('hunter2');
  });

  it('refuses a secret in a command line, and a secret shorter than 8 characters (exit 2, nothing runs)', async () => {
    const inArgv = workspace({ 'rollout.yaml': 'version: 1\nname: s\nenvironments: { ci: {} }\ngates:\n  - { id: a, uses: exec, with: { command: [touch, "${secret:API_TOKEN}"] } }\n' });
    const run = await rollout(['check', '--env', 'ci'], { cwd: inArgv, env: { API_TOKEN: SECRET } });
    expect(run.exitCode).toBe(2);
    expect(run.stderr).toMatch(/rollout\.yaml:5:\d+: gates\[0\]\.with\.command\[1\]: .*visible to every user in ps/);
    expect(readdirSync(inArgv)).toEqual(['rollout.yaml']);
    const short = workspace({ 'rollout.yaml': 'version: 1\nname: s\nenvironments: { ci: {} }\ngates:\n  - { id: a, uses: exec, with: { command: [touch, ran], env: { T: "${secret:API_TOKEN}" } } }\n' });
    const shortRun = await rollout(['check', '--env', 'ci'], { cwd: short, env: { API_TOKEN: 'abc123' } });
    expect(shortRun.exitCode).toBe(2);
    expect(shortRun.stderr).toMatch(/shorter than 8 are refused/);
    expect(shortRun.stderr).not.toContain('abc123');
    expect(readdirSync(short)).toEqual(['rollout.yaml']);
  });
});

describe('the redactor stream', () => {
  it('catches a secret split across any two chunks', () => {
    const redactor = new Redactor();
    redactor.add(SECRET);
    const text = `before ${SECRET} middle ${Buffer.from(SECRET).toString('base64')} after`;
    for (let cut = 1; cut < text.length; cut++) {
      let written = '';
      const stream = redactor.stream((t) => (written += t));
      stream.write(text.slice(0, cut));
      stream.write(text.slice(cut));
      stream.flush();
      expect(written).toBe('before *** middle *** after');
    }
  });

  it('masks each line of a multi-line secret and its JSON-escaped form', () => {
    const redactor = new Redactor();
    const pem = '-----BEGIN KEY-----\nMIIBOgIBAAJBAKj34GkxFhD9\nTl0k5sQJhd7rcV2yS3e8wq==\n-----END KEY-----';
    redactor.add(pem);
    expect(redactor.redact(`key: ${JSON.stringify(pem)}`)).not.toContain('MIIBOgIBAAJBAKj34GkxFhD9');
    expect(redactor.redact('line: Tl0k5sQJhd7rcV2yS3e8wq==')).toBe('line: ***');
  });
});

describe('secret connection URLs', () => {
  it('mask only the password, so the evidence still shows the host', () => {
    const redactor = new Redactor();
    redactor.add('postgres://app:S3cr3t-passw0rd@db.internal:5432/payments');
    expect(redactor.redact('connected to postgres://app:S3cr3t-passw0rd@db.internal:5432/payments')).toBe('connected to postgres://app:***@db.internal:5432/payments');
    expect(redactor.redact('PGPASSWORD=S3cr3t-passw0rd')).toBe('PGPASSWORD=***');
  });
  it('a URL whose password is too short to mask safely is masked whole', () => {
    const redactor = new Redactor();
    redactor.add('postgres://app:pw@db.internal:5432/payments');
    expect(redactor.redact('postgres://app:pw@db.internal:5432/payments')).toBe('***');
  });
});

describe('a connection URL whose password holds a bare %', () => {
  it('still connects, and only the password is masked in the report', async () => {
    const password = 'pa%ss w/rd-9';
    await sql(cluster().primary.url, `DROP ROLE IF EXISTS rollout_pct; CREATE ROLE rollout_pct LOGIN PASSWORD '${password}'`);
    // As a user types it: the bare % left alone, the space and slash percent-encoded.
    const url = `postgres://rollout_pct:pa%ss%20w%2Frd-9@127.0.0.1:${cluster().primary.port}/postgres`;
    const dir = workspace({
      'rollout.yaml': `version: 1
name: pct
environments:
  ci:
    postgres: { url: "\${secret:DATABASE_URL}" }
gates:
  - { id: one, uses: postgres.query, with: { sql: "select 1" }, expect: "== 1" }
  - { id: down, uses: postgres.query, with: { sql: "select 1/0" }, expect: "== 1" }
`,
    });
    const run = await rollout(['check', '--env', 'ci', '--reporter', 'json'], { cwd: dir, env: { DATABASE_URL: url } });
    expect(run.stderr).toBe('');
    expect(run.json.nodes.find((n: { id: string }) => n.id === 'one').status).toBe('pass');
    const all = run.stdout + readdirSync(join(dir, 'evidence', 'ci')).map((f) => readFileSync(join(dir, 'evidence', 'ci', f), 'utf8')).join('\n');
    expect(all).not.toMatch(/pa%ss|pa%25ss|w%2Frd|w\/rd/);
  });
});
