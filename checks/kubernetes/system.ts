import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { defineSystem } from '../../src/sdk/index.js';
import { openKubeconfig } from './kubeconfig.js';
import { kubernetesSettings } from './settings.js';

export default defineSystem({
  name: 'kubernetes',
  summary: 'A kubeconfig context (and default namespace); the run refuses when the context does not exist',
  settings: kubernetesSettings,
  missingHint: 'kubeconfig context and namespace',
  async guard(settings, info) {
    const opened = await openKubeconfig(settings, info.cwd, info.env);
    if (!opened.ok) return opened.message;
    // The guard runs only when planned nodes use Kubernetes, before any of them starts:
    // loading the client's KubeConfig here keeps it out of the first node's
    // timeout, so a 1s rollout gate measures the rollout, not the import.
    await (await import('./transport.js')).loadKubeConfigClass();
    return undefined;
  },
  async lock(settings, info, request) {
    // Loaded only by mutating runs: client-node costs ~0.7 s to import.
    return (await import('./lease.js')).takeLease(settings, info, request);
  },
  async childEnv(settings, info) {
    const opened = await openKubeconfig(settings, info.cwd, info.env);
    if (!opened.ok) throw new Error(opened.message);
    // A private directory per environment: the file holds credentials of that context only.
    const dir = await mkdtemp(join(info.tmpDir, 'kube-'));
    const path = join(dir, 'config');
    await writeFile(path, opened.confined, { mode: 0o600 });
    await chmod(path, 0o600);
    return {
      env: { KUBECONFIG: path },
      async cleanup() {
        await rm(dir, { recursive: true, force: true });
      },
    };
  },
});
