import type * as K8s from '@kubernetes/client-node';
import type { LockRequest, LockResult, SystemInfo } from '../../src/sdk/index.js';
import { openKubeconfig } from './kubeconfig.js';
import { openTransport } from './transport.js';
import type { KubernetesSettings } from './settings.js';

const LEASE_SECONDS = 900;
const RENEW_MS = 5 * 60_000;

/**
 * The run's lock as a coordination.k8s.io Lease in the environment's namespace: a second
 * run — from any machine that can reach the cluster — sees who holds it and is refused. An
 * expired Lease (its holder died without releasing it) is taken over.
 */
export async function takeLease(settings: KubernetesSettings, info: SystemInfo, request: LockRequest): Promise<LockResult> {
  const opened = await openKubeconfig(settings, info.cwd, info.env);
  if (!opened.ok) return { ok: false, message: opened.message };
  const transport = await openTransport(opened.confined);
  const namespace = settings.namespace ?? transport.kc.getContextObject(settings.context)?.namespace ?? 'default';
  const leases = `/apis/coordination.k8s.io/v1/namespaces/${encodeURIComponent(namespace)}/leases`;
  const at = (leaseName: string) => `${leases}/${encodeURIComponent(leaseName)}`;
  const api = {
    createNamespacedLease: ({ body }: { namespace: string; body: K8s.V1Lease }) => transport.json<K8s.V1Lease>('POST', leases, { body }),
    readNamespacedLease: ({ name }: { name: string; namespace: string }) => transport.json<K8s.V1Lease>('GET', at(name)),
    replaceNamespacedLease: ({ name, body }: { name: string; namespace: string; body: K8s.V1Lease }) => transport.json<K8s.V1Lease>('PUT', at(name), { body }),
    deleteNamespacedLease: ({ name }: { name: string; namespace: string }) => transport.json<unknown>('DELETE', at(name)),
  };
  const name = request.name;
  const now = () => new Date();
  const body = (resourceVersion?: string): K8s.V1Lease => ({
    apiVersion: 'coordination.k8s.io/v1',
    kind: 'Lease',
    metadata: { name, namespace, ...(resourceVersion ? { resourceVersion } : {}), annotations: { 'rollout.dev/run': request.description } },
    spec: { holderIdentity: request.holder, leaseDurationSeconds: LEASE_SECONDS, acquireTime: now() as unknown as K8s.V1MicroTime, renewTime: now() as unknown as K8s.V1MicroTime },
  });
  try {
    await api.createNamespacedLease({ namespace, body: body() });
  } catch (error) {
    if (statusOf(error) !== 409) return { ok: false, message: `could not create Lease ${namespace}/${name}: ${describe(error)}` };
    const current = await api.readNamespacedLease({ name, namespace });
    const renewed = current.spec?.renewTime ? new Date(current.spec.renewTime as unknown as string).getTime() : 0;
    const expiresAt = renewed + (current.spec?.leaseDurationSeconds ?? LEASE_SECONDS) * 1000;
    if (current.spec?.holderIdentity && expiresAt > Date.now()) {
      const run = current.metadata?.annotations?.['rollout.dev/run'];
      return { ok: false, message: `Lease ${namespace}/${name} is held by ${current.spec.holderIdentity}${run ? `: ${run}` : ''} (until ${new Date(expiresAt).toISOString()} unless renewed)` };
    }
    try {
      await api.replaceNamespacedLease({ name, namespace, body: body(current.metadata?.resourceVersion) });
    } catch (replaceError) {
      return { ok: false, message: `Lease ${namespace}/${name} expired but could not be taken over: ${describe(replaceError)}` };
    }
  }
  const renew = setInterval(() => {
    void api
      .readNamespacedLease({ name, namespace })
      .then((lease) => api.replaceNamespacedLease({ name, namespace, body: { ...lease, spec: { ...lease.spec, renewTime: now() as unknown as K8s.V1MicroTime } } }))
      .catch(() => {});
  }, RENEW_MS);
  renew.unref();
  return {
    ok: true,
    async release() {
      clearInterval(renew);
      const lease = await api.readNamespacedLease({ name, namespace }).catch(() => undefined);
      // Only our own: never delete a Lease someone took over after ours expired.
      if (lease?.spec?.holderIdentity === request.holder) await api.deleteNamespacedLease({ name, namespace }).catch(() => {});
      transport.close();
    },
  };
}

function statusOf(error: unknown): number | undefined {
  return (error as { code?: number; statusCode?: number }).code ?? (error as { statusCode?: number }).statusCode;
}

function describe(error: unknown): string {
  const body = (error as { body?: unknown }).body;
  const message = typeof body === 'string' ? body : (body as { message?: string } | undefined)?.message;
  return message ?? (error as Error).message ?? String(error);
}
