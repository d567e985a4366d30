import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { defineSystem } from '../../src/sdk/index.js';
import { confineToContext, describeMissingContext, kubeconfigPaths, readKubeconfig } from './kubeconfig.js';

export const kubernetesSettings = z.strictObject({
  /** A kubeconfig file (relative to the playbook). Default: KUBECONFIG, else ~/.kube/config. */
  kubeconfig: z.string().min(1).optional(),
  /** The context to use. Required: the current context is never used implicitly. */
  context: z.string().min(1, 'name the kubeconfig context, e.g. context: staging'),
  /** Default namespace for this environment's Kubernetes nodes. */
  namespace: z.string().min(1).optional(),
});

export type KubernetesSettings = z.infer<typeof kubernetesSettings>;

export default defineSystem({
  name: 'kubernetes',
  summary: 'A kubeconfig context (and default namespace); the run refuses when the context does not exist',
  settings: kubernetesSettings,
  async guard(settings, info) {
    const parsed = kubernetesSettings.safeParse(settings);
    if (!parsed.success) return `${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`;
    const paths = kubeconfigPaths(parsed.data, info.cwd, info.env);
    const { config, read } = await readKubeconfig(paths);
    const missing = describeMissingContext(config, parsed.data.context, read, paths);
    if (missing) return missing;
    // The guard runs only when planned nodes use Kubernetes, before any of them starts:
    // loading the client here (1-2 s on a busy machine) keeps it out of the first node's
    // timeout, so a 1s rollout gate measures the rollout, not the import.
    await import('@kubernetes/client-node');
    return undefined;
  },
  async lock(settings, info, request) {
    // Loaded only by mutating runs: client-node costs ~0.7 s to import.
    return (await import('./lease.js')).takeLease(settings, info, request);
  },
  async childEnv(settings, info) {
    const parsed = kubernetesSettings.parse(settings);
    const paths = kubeconfigPaths(parsed, info.cwd, info.env);
    const { config, read } = await readKubeconfig(paths);
    const missing = describeMissingContext(config, parsed.context, read, paths);
    if (missing) throw new Error(missing);
    // A private directory per environment: the file holds credentials of that context only.
    const dir = await mkdtemp(join(info.tmpDir, 'kube-'));
    const path = join(dir, 'config');
    await writeFile(path, confineToContext(config, parsed.context, parsed.namespace), { mode: 0o600 });
    await chmod(path, 0o600);
    return {
      env: { KUBECONFIG: path },
      async cleanup() {
        await rm(dir, { recursive: true, force: true });
      },
    };
  },
});
