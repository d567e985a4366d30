import { type ChildProcess, spawn } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { get as getHttps } from 'node:https';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findFreePort } from '../prometheus/servers.js';
import { stopServerProcess } from '../server-process.mjs';

export interface EtcdMember {
  name: string;
  clientUrl: string;
  process: ChildProcess;
  stop(): Promise<void>;
}

export interface EtcdCluster {
  members: EtcdMember[];
  stop(): Promise<void>;
}

/** Client TLS for the cluster: the server certificate, its key, and the CA client certificates must come from. */
export interface EtcdTls {
  certFile: string;
  keyFile: string;
  caFile: string;
  /** A client certificate the helper itself uses to wait for health. */
  client: { cert: string; key: string };
}

/**
 * Debian's etcd as a cluster of `size` members on random loopback ports, each its own process.
 * With `tls`, client URLs are https:// and require a client certificate (--client-cert-auth).
 */
export async function startEtcdCluster(size = 3, tls?: EtcdTls): Promise<EtcdCluster> {
  const dir = await mkdtemp(join(tmpdir(), 'rollout-etcd-'));
  const ports = await Promise.all(Array.from({ length: size }, async () => ({ client: await findFreePort(), peer: await findFreePort() })));
  const names = ports.map((_, i) => `etcd-${i + 1}`);
  const initialCluster = names.map((name, i) => `${name}=http://127.0.0.1:${ports[i]!.peer}`).join(',');
  const members = names.map((name, i): EtcdMember => {
    const clientUrl = `${tls ? 'https' : 'http'}://127.0.0.1:${ports[i]!.client}`;
    const peerUrl = `http://127.0.0.1:${ports[i]!.peer}`;
    const log = openSync(join(dir, `${name}.log`), 'a');
    const child = spawn(
      'etcd',
      [
        `--name=${name}`,
        `--data-dir=${join(dir, name)}`,
        `--listen-client-urls=${clientUrl}`,
        `--advertise-client-urls=${clientUrl}`,
        `--listen-peer-urls=${peerUrl}`,
        `--initial-advertise-peer-urls=${peerUrl}`,
        `--initial-cluster=${initialCluster}`,
        '--initial-cluster-state=new',
        '--initial-cluster-token=rollout-test',
        '--log-level=error',
        ...(tls ? [`--cert-file=${tls.certFile}`, `--key-file=${tls.keyFile}`, `--trusted-ca-file=${tls.caFile}`, '--client-cert-auth'] : []),
      ],
      { stdio: ['ignore', log, log] },
    );
    closeSync(log);
    return {
      name,
      clientUrl,
      process: child,
      async stop() {
        await stopServerProcess(child);
      },
    };
  });
  const deadline = Date.now() + 20_000;
  for (const member of members) {
    for (;;) {
      if ((await readHealth(member.clientUrl, tls)) === 'true') break;
      if (member.process.exitCode !== null || Date.now() > deadline) throw new Error(`${member.name} did not become healthy:\n${readFileSync(join(dir, `${member.name}.log`), 'utf8').slice(-2000)}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
  return {
    members,
    async stop() {
      for (const member of members) await member.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

async function readHealth(clientUrl: string, tls: EtcdTls | undefined): Promise<string | undefined> {
  try {
    if (!tls) {
      const response = await fetch(`${clientUrl}/health`, { signal: AbortSignal.timeout(1000) });
      return response.ok ? ((await response.json()) as { health?: string }).health : undefined;
    }
    const body = await new Promise<string>((resolve, reject) => {
      const req = getHttps(`${clientUrl}/health`, { ca: readFileSync(tls.caFile), cert: tls.client.cert, key: tls.client.key, timeout: 1000 }, (res) => {
        let text = '';
        res.on('data', (chunk) => (text += chunk));
        res.on('end', () => resolve(text));
      });
      req.on('error', reject);
      req.on('timeout', () => req.destroy(new Error('timeout')));
    });
    return (JSON.parse(body) as { health?: string }).health;
  } catch {
    return undefined; // Not up yet.
  }
}
