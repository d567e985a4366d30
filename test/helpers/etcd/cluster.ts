import { type ChildProcess, spawn } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findFreePort } from '../prometheus/servers.js';
import { stopServerProcess } from '../server-process.js';

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

/** Debian's etcd as a cluster of `size` members on random loopback ports, each its own process. */
export async function startEtcdCluster(size = 3): Promise<EtcdCluster> {
  const dir = await mkdtemp(join(tmpdir(), 'rollout-etcd-'));
  const ports = await Promise.all(Array.from({ length: size }, async () => ({ client: await findFreePort(), peer: await findFreePort() })));
  const names = ports.map((_, i) => `etcd-${i + 1}`);
  const initialCluster = names.map((name, i) => `${name}=http://127.0.0.1:${ports[i]!.peer}`).join(',');
  const members = names.map((name, i): EtcdMember => {
    const clientUrl = `http://127.0.0.1:${ports[i]!.client}`;
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
      try {
        const response = await fetch(`${member.clientUrl}/health`, { signal: AbortSignal.timeout(1000) });
        if (response.ok && ((await response.json()) as { health?: string }).health === 'true') break;
      } catch {
        // Not up yet.
      }
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
