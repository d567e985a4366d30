import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { workspace } from '../helpers/cli.js';
import { startServe, type Served } from '../helpers/serve.js';

const TOKEN = 'tls-token-0123456789abcdef';
const PLAYBOOK = `version: 1
name: api
environments: { staging: {} }
gates:
  - { id: ok, uses: exec, with: { command: ["true"] } }
`;

interface Answer { status: number; body: string }

function get(url: string, options: { ca?: Buffer } = {}): Promise<Answer> {
  const target = new URL(url);
  const send = target.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const req = send(target, { headers: { authorization: `Bearer ${TOKEN}` }, ...(options.ca ? { ca: options.ca } : {}), timeout: 10_000 }, (res) => {
      let body = '';
      res.on('data', (c) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode!, body }));
    });
    req.on('timeout', () => req.destroy(new Error('timed out')));
    req.on('error', reject);
    req.end();
  });
}

describe('rollout serve over TLS', () => {
  let dir: string;
  let served: Served;
  let ca: Buffer;

  beforeAll(async () => {
    dir = workspace({ tokens: `ci ${TOKEN}\n` });
    mkdirSync(join(dir, 'pb'));
    writeFileSync(join(dir, 'pb', 'api.yaml'), PLAYBOOK);
    // A self-signed certificate for 127.0.0.1, made here so nothing secret is committed; it is its own CA.
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1', '-keyout', join(dir, 'tls.key'), '-out', join(dir, 'tls.crt')], { stdio: 'ignore' });
    ca = readFileSync(join(dir, 'tls.crt'));
    served = await startServe(['--playbooks', 'pb', '--token-file', 'tokens', '--tls-cert', 'tls.crt', '--tls-key', 'tls.key'], { cwd: dir });
  });
  afterAll(async () => {
    await served?.stop();
  });

  it('answers /v1/gates over https to a client that trusts the certificate', async () => {
    expect(served.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    const answer = await get(`${served.url}/v1/gates/api/staging`, { ca });
    expect(answer.status).toBe(200);
    expect(JSON.parse(answer.body)).toMatchObject({ verdict: 'pass', env: 'staging' });
  });

  it('a client that does not trust the certificate is refused by its own TLS check', async () => {
    await expect(get(`${served.url}/v1/gates/api/staging`)).rejects.toThrow(/self[- ]signed/i);
  });

  it('plain http to the TLS port gets no answer, and the token never reaches the log', async () => {
    const plain = served.url.replace(/^https:/, 'http:');
    await expect(get(`${plain}/v1/gates/api/staging`)).rejects.toThrow();
    expect(served.stderr()).not.toContain(TOKEN);
  });
});
