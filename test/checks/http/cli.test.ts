import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHealthService } from '../../helpers/http/health-service.js';
import { runCheck, statusOf } from '../../helpers/http/run-cli.js';
import { createCertificate, findClosedPort, startServer, type Certificate, type TestServer } from '../../helpers/http/servers.js';

const PLAYBOOK = fileURLToPath(new URL('../../../playbooks/http.yaml', import.meta.url));

let server: TestServer;
let tlsServer: TestServer;
let cert: Certificate;
let evidenceDir: string;

beforeAll(async () => {
  const { route } = createHealthService();
  cert = await createCertificate(30);
  server = await startServer(route);
  tlsServer = await startServer(route, cert);
  evidenceDir = await mkdtemp(join(tmpdir(), 'rollout-http-evidence-'));
});

afterAll(async () => {
  await server?.close();
  await tlsServer?.close();
  await cert?.remove();
  if (evidenceDir) await rm(evidenceDir, { recursive: true, force: true });
});

const run = (base: string) =>
  runCheck(['-p', PLAYBOOK, '--env', 'local', '--evidence-dir', evidenceDir], {
    ROLLOUT_HTTP_URL: base,
    ROLLOUT_HTTPS_URL: tlsServer.url,
    ROLLOUT_HTTP_CA: cert.certPath,
  });

describe('playbooks/http.yaml through the built CLI', () => {
  it('passes every gate against a healthy service', async () => {
    const { exitCode, report } = await run(server.url);
    expect(statusOf(report)).toEqual({ health: 'pass', 'database-ok': 'pass', version: 'pass', hsts: 'pass', csp: 'pass', certificate: 'pass' });
    expect(report.verdict).toBe('pass');
    expect(exitCode).toBe(0);
    const certificate = report.nodes.find((node) => node.id === 'certificate')!;
    expect(certificate.observed as number).toBeGreaterThan(29);
  });

  it('fails the health gate when the service is down, and skips what needs it', async () => {
    const { exitCode, report } = await run(`http://127.0.0.1:${await findClosedPort()}`);
    const statuses = statusOf(report);
    expect(statuses).toMatchObject({ health: 'fail', 'database-ok': 'skipped', version: 'skipped', hsts: 'fail', certificate: 'pass' });
    expect(report.nodes.find((node) => node.id === 'health')!.message).toContain('connection refused');
    expect(report.verdict).toBe('fail');
    expect(exitCode).toBe(1);
  });
});
