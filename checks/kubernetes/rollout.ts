import type * as K8s from '@kubernetes/client-node';
import { z } from 'zod';
import { defineCheck, duration, formatDuration } from '../../src/sdk/index.js';
import { withKube } from './client.js';
import { namespaceParam, readWorkload, workloadKind, type Workload, type WorkloadKind } from './workloads.js';

const params = z.strictObject({
  kind: workloadKind.default('Deployment').describe('Deployment, StatefulSet or DaemonSet'),
  name: z.string().min(1).describe('The workload name'),
  namespace: namespaceParam,
  pollInterval: duration.prefault('2s').describe('How often to re-read the workload while it is still rolling out'),
  wait: z.boolean().default(true).describe('false: read once and report the current state (as `kubectl rollout status --watch=false`)'),
});

interface Progress {
  /** done: rolled out; failed: will not finish by itself (progress deadline exceeded). */
  state: 'done' | 'waiting' | 'failed';
  message: string;
}

export default defineCheck({
  kind: 'kubernetes.rollout',
  summary: 'A Deployment, StatefulSet or DaemonSet has finished rolling out (the rules of `kubectl rollout status`)',
  description:
    'Reads the workload and applies the rules of `kubectl rollout status`: the controller observed the latest generation, ' +
    'every replica is updated, no old replica is left, and the updated ones are available (StatefulSet: ready and at the ' +
    'update revision; DaemonSet: updated and available on every node). A Deployment whose Progressing condition says ' +
    '`ProgressDeadlineExceeded` fails at once. Otherwise it polls every `pollInterval` until done or until shortly ' +
    "before the node's timeout, then fails with the last reason, worded as `kubectl rollout status` words it; `wait: false` " +
    'reads once and reports. An unreachable API server is `error`.',
  params,
  observes: 'verdict',
  mutates: false,
  system: 'kubernetes',
  outputs: { revision: 'the Deployment revision (deployment.kubernetes.io/revision) or StatefulSet update revision', images: 'container → image of the pod template' },
  examples: [
    '- id: api-rolled-out\n  uses: kubernetes.rollout\n  with: { name: api }\n  timeout: 5m',
    '- id: ledger-rolled-out\n  uses: kubernetes.rollout\n  with: { kind: StatefulSet, name: ledger, namespace: payments, pollInterval: 5s }',
  ],
  async run(p, ctx) {
    // The core's timeout runs from the call, not from when the client has loaded: the
    // deadline must too, or a slow first load leaves no time to report why it is not done.
    const startedAt = Date.now();
    const marginMs = Math.min(1000, ctx.timeoutMs * 0.1);
    const deadline = startedAt + ctx.timeoutMs - marginMs;
    return withKube(ctx, p.namespace, async (kube) => {
      let polls = 0;
      for (;;) {
        const readStartedAt = Date.now();
        const workload = await readWorkload(kube, p.kind, p.name);
        const readMs = Date.now() - readStartedAt;
        polls++;
        const progress = assessRollout(p.kind, workload);
        ctx.log(`${p.kind}/${p.name}: ${progress.message}`);
        const outputs = outputsOf(p.kind, workload);
        const elapsed = `${polls} read(s) over ${formatDuration(Date.now() - startedAt)}`;
        const details = { notes: [elapsed] };
        if (progress.state === 'done') return { status: 'pass', reasons: [progress.message], outputs, details };
        if (progress.state === 'failed') return { status: 'fail', reasons: [progress.message], outputs, details };
        if (!p.wait) return { status: 'fail', reasons: [progress.message], outputs, details };
        // Another read must end before the deadline: leave it twice what the last one took,
        // and never less than a timer's slack — a read cut by the timeout is an error, not the fail it is.
        const waitMs = Math.min(p.pollInterval, deadline - Date.now() - Math.max(2 * readMs, MIN_LAST_READ_MS));
        if (waitMs <= 0 || ctx.signal.aborted) {
          return { status: 'fail', reasons: [progress.message, `not rolled out after ${elapsed} (timeout ${formatDuration(ctx.timeoutMs)})`], outputs, details };
        }
        await sleep(waitMs, ctx.signal);
      }
    });
  },
});

const MIN_LAST_READ_MS = 25;

/** The decision `kubectl rollout status` makes for one reading of the workload. */
export function assessRollout(kind: WorkloadKind, workload: Workload): Progress {
  if (kind === 'Deployment') return assessDeployment(workload as K8s.V1Deployment);
  if (kind === 'StatefulSet') return assessStatefulSet(workload as K8s.V1StatefulSet);
  return assessDaemonSet(workload as K8s.V1DaemonSet);
}

function observedLatest(workload: Workload): boolean {
  return (workload.metadata?.generation ?? 0) <= (workload.status?.observedGeneration ?? 0);
}

function assessDeployment(d: K8s.V1Deployment): Progress {
  const name = d.metadata?.name;
  if (!observedLatest(d)) return { state: 'waiting', message: 'Waiting for deployment spec update to be observed...' };
  const progressing = d.status?.conditions?.find((c) => c.type === 'Progressing');
  if (progressing?.reason === 'ProgressDeadlineExceeded') {
    return { state: 'failed', message: `deployment "${name}" exceeded its progress deadline${progressing.message ? `: ${progressing.message}` : ''}` };
  }
  const wanted = d.spec?.replicas ?? 1;
  const updated = d.status?.updatedReplicas ?? 0;
  const total = d.status?.replicas ?? 0;
  const available = d.status?.availableReplicas ?? 0;
  if (updated < wanted) return { state: 'waiting', message: `Waiting for deployment "${name}" rollout to finish: ${updated} out of ${wanted} new replicas have been updated...` };
  if (total > updated) return { state: 'waiting', message: `Waiting for deployment "${name}" rollout to finish: ${total - updated} old replicas are pending termination...` };
  if (available < updated) return { state: 'waiting', message: `Waiting for deployment "${name}" rollout to finish: ${available} of ${updated} updated replicas are available...` };
  return { state: 'done', message: `deployment "${name}" successfully rolled out (${available}/${wanted} available)` };
}

function assessStatefulSet(s: K8s.V1StatefulSet): Progress {
  const name = s.metadata?.name;
  if (s.spec?.updateStrategy?.type && s.spec.updateStrategy.type !== 'RollingUpdate') {
    return { state: 'failed', message: `statefulset "${name}" uses the ${s.spec.updateStrategy.type} strategy: rollout status is only available for RollingUpdate` };
  }
  if (!s.status?.observedGeneration || !observedLatest(s)) return { state: 'waiting', message: 'Waiting for statefulset spec update to be observed...' };
  const wanted = s.spec?.replicas ?? 1;
  const ready = s.status?.readyReplicas ?? 0;
  if (ready < wanted) return { state: 'waiting', message: `Waiting for ${wanted - ready} pods to be ready...` };
  const partition = s.spec?.updateStrategy?.rollingUpdate?.partition ?? 0;
  if (partition > 0) {
    const updated = s.status?.updatedReplicas ?? 0;
    if (updated < wanted - partition) return { state: 'waiting', message: `Waiting for partitioned roll out to finish: ${updated} out of ${wanted - partition} new pods have been updated...` };
    return { state: 'done', message: `partitioned roll out complete: ${updated} new pods have been updated...` };
  }
  if (s.status?.updateRevision !== s.status?.currentRevision) {
    return { state: 'waiting', message: `waiting for statefulset rolling update to complete ${s.status?.updatedReplicas ?? 0} pods at revision ${s.status?.updateRevision}...` };
  }
  return { state: 'done', message: `statefulset rolling update complete ${s.status?.currentReplicas ?? ready} pods at revision ${s.status?.currentRevision}...` };
}

function assessDaemonSet(ds: K8s.V1DaemonSet): Progress {
  const name = ds.metadata?.name;
  if (ds.spec?.updateStrategy?.type && ds.spec.updateStrategy.type !== 'RollingUpdate') {
    return { state: 'failed', message: `daemonset "${name}" uses the ${ds.spec.updateStrategy.type} strategy: rollout status is only available for RollingUpdate` };
  }
  if (!observedLatest(ds)) return { state: 'waiting', message: 'Waiting for daemon set spec update to be observed...' };
  const desired = ds.status?.desiredNumberScheduled ?? 0;
  const updated = ds.status?.updatedNumberScheduled ?? 0;
  const available = ds.status?.numberAvailable ?? 0;
  if (updated < desired) return { state: 'waiting', message: `Waiting for daemon set "${name}" rollout to finish: ${updated} out of ${desired} new pods have been updated...` };
  if (available < desired) return { state: 'waiting', message: `Waiting for daemon set "${name}" rollout to finish: ${available} of ${desired} updated pods are available...` };
  return { state: 'done', message: `daemon set "${name}" successfully rolled out` };
}

function outputsOf(kind: WorkloadKind, workload: Workload): Record<string, unknown> {
  const images = Object.fromEntries((workload.spec?.template?.spec?.containers ?? []).map((c) => [c.name, c.image ?? '']));
  const revision =
    kind === 'Deployment'
      ? Number(workload.metadata?.annotations?.['deployment.kubernetes.io/revision'] ?? NaN)
      : kind === 'StatefulSet'
        ? (workload as K8s.V1StatefulSet).status?.updateRevision
        : String(workload.metadata?.generation ?? '');
  return { revision: Number.isNaN(revision) ? null : (revision ?? null), images };
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
    function done(): void {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
  });
}
