import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import system from '../../../checks/kubernetes/system.js';
import { runProcess } from '../../../src/sdk/index.js';
import { startFixtureApi, type FixtureApiServer } from '../../helpers/kubernetes/api-server.js';

let server: FixtureApiServer;
let tmpDir: string;
beforeAll(async () => {
  server = await startFixtureApi();
  tmpDir = mkdtempSync(join(tmpdir(), 'rollout-kube-system-'));
});
afterAll(async () => server?.close());

const info = (env: Record<string, string | undefined> = {}) => ({ cwd: tmpDir, env, tmpDir });

describe('kubernetes system guard', () => {
  it('accepts a context that exists in KUBECONFIG', async () => {
    expect(await system.guard!({ context: 'fixture', namespace: 'payments' }, info({ KUBECONFIG: server.kubeconfigPath }))).toBeUndefined();
  });

  it('refuses a context that does not exist, naming the file and the contexts, never falling back', async () => {
    const message = await system.guard!({ context: 'production' }, info({ KUBECONFIG: server.kubeconfigPath }));
    expect(message).toBe(`context "production" does not exist in ${server.kubeconfigPath} (contexts: fixture, fixture-limited, elsewhere); refusing to fall back to the current context`);
  });

  it('reads an explicit kubeconfig setting relative to the playbook', async () => {
    writeFileSync(join(tmpDir, 'kubeconfig'), readFileSync(server.kubeconfigPath));
    expect(await system.guard!({ kubeconfig: 'kubeconfig', context: 'fixture' }, info({}))).toBeUndefined();
    expect(await system.guard!({ kubeconfig: 'kubeconfig', context: 'staging' }, info({ KUBECONFIG: server.kubeconfigPath }))).toMatch(/"staging" does not exist/);
  });

  it('merges a KUBECONFIG list and falls back to ~/.kube/config only when KUBECONFIG is unset', async () => {
    const extra = join(tmpDir, 'extra');
    writeFileSync(extra, stringify({ clusters: [{ name: 'c', cluster: { server: 'https://127.0.0.1:1' } }], users: [{ name: 'u', user: {} }], contexts: [{ name: 'staging', context: { cluster: 'c', user: 'u' } }] }));
    expect(await system.guard!({ context: 'staging' }, info({ KUBECONFIG: `${join(tmpDir, 'missing')}:${server.kubeconfigPath}:${extra}` }))).toBeUndefined();
    expect(await system.guard!({ context: 'fixture' }, info({ HOME: join(tmpDir, 'nohome') }))).toMatch(/does not exist in .*nohome\/\.kube\/config \(not readable\) \(no contexts\)/);
  });

  it('refuses a context whose cluster is missing', async () => {
    const broken = join(tmpDir, 'broken');
    writeFileSync(broken, stringify({ clusters: [], users: [], contexts: [{ name: 'x', context: { cluster: 'gone', user: 'u' } }] }));
    expect(await system.guard!({ context: 'x' }, info({ KUBECONFIG: broken }))).toMatch(/names cluster "gone", which is not in/);
  });
});

describe('kubernetes childEnv', () => {
  it('writes a private kubeconfig holding only the environment context', async () => {
    const { env, cleanup } = await system.childEnv!({ context: 'fixture-limited', namespace: 'payments' }, info({ KUBECONFIG: server.kubeconfigPath }));
    const config = parse(readFileSync(env.KUBECONFIG!, 'utf8'));
    expect(config['current-context']).toBe('fixture-limited');
    expect(config.contexts.map((c: { name: string }) => c.name)).toEqual(['fixture-limited']);
    expect(config.clusters.map((c: { name: string }) => c.name)).toEqual(['fixture']);
    expect(config.users.map((u: { name: string }) => u.name)).toEqual(['fixture-limited']);
    expect(JSON.stringify(config)).not.toContain(server.tokens.admin);
    expect(statSync(env.KUBECONFIG!).mode & 0o777).toBe(0o600);
    await cleanup();
    expect(() => statSync(env.KUBECONFIG!)).toThrow();
  });

  it("confines an exec step's kubectl to the environment's context", async () => {
    const { env, cleanup } = await system.childEnv!({ context: 'fixture', namespace: 'payments' }, info({ KUBECONFIG: server.kubeconfigPath }));
    const childEnv = { PATH: process.env.PATH, HOME: tmpDir, ...env };
    const get = await runProcess(['kubectl', 'get', 'deployments', '-o', 'json'], { env: childEnv });
    expect(get.stderr).toBe('');
    expect(JSON.parse(get.stdout).items.map((d: { metadata: { name: string } }) => d.metadata.name)).toEqual(['api']);
    const other = await runProcess(['kubectl', '--context', 'elsewhere', 'get', 'deployments', '-o', 'json'], { env: childEnv });
    expect(other.exitCode).not.toBe(0);
    expect(other.stderr).toMatch(/context was not found for specified context: elsewhere/);
    await cleanup();
  });

  it('keeps certificate paths working when they were relative to the original kubeconfig', async () => {
    const dir = mkdtempSync(join(tmpDir, 'rel-'));
    writeFileSync(join(dir, 'ca.crt'), Buffer.from(server.caData, 'base64'));
    const original = parse(readFileSync(server.kubeconfigPath, 'utf8'));
    original.clusters[0].cluster = { server: server.url, 'certificate-authority': 'ca.crt' };
    writeFileSync(join(dir, 'config'), stringify(original));
    const { env, cleanup } = await system.childEnv!({ context: 'fixture' }, info({ KUBECONFIG: join(dir, 'config') }));
    const get = await runProcess(['kubectl', 'get', 'pods', '-l', 'app=api', '-o', 'name'], { env: { PATH: process.env.PATH, HOME: tmpDir, ...env } });
    expect(get.stdout.trim().split('\n')).toHaveLength(4);
    await cleanup();
  });

  it('the unconfined kubeconfig would have used another cluster: the current context is elsewhere', async () => {
    const get = await runProcess(['kubectl', 'config', 'current-context'], { env: { PATH: process.env.PATH, KUBECONFIG: server.kubeconfigPath } });
    expect(get.stdout.trim()).toBe('elsewhere');
  });
});
