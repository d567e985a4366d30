import type * as K8s from '@kubernetes/client-node';
import { z } from 'zod';
import { defineCheck } from '../../src/sdk/index.js';
import { withKube } from './client.js';
import { listPods, namespaceParam } from './workloads.js';

const params = z.strictObject({
  selector: z.string().min(1).describe('Label selector of the pods, e.g. `app=api` or `app=api,tier in (backend)`'),
  namespace: namespaceParam,
  maxRestarts: z.number().int().min(0).default(5).describe('Most container restarts a pod may have (summed over its containers)'),
  minPods: z.number().int().min(1).default(1).describe('Fewest matching pods; fewer is a failure'),
});

/** Waiting reasons that never clear by themselves. */
const STUCK_REASONS = new Set(['CrashLoopBackOff', 'ImagePullBackOff', 'ErrImagePull', 'InvalidImageName', 'CreateContainerConfigError', 'CreateContainerError', 'RunContainerError']);

export default defineCheck({
  kind: 'kubernetes.pods',
  summary: 'Pods of a selector are Ready, none crash-looping or unable to pull, restarts under a limit',
  description:
    'Lists the pods of `selector` and fails when fewer than `minPods` match, or any pod is not Running and Ready, has a ' +
    'container waiting in CrashLoopBackOff, ImagePullBackOff, ErrImagePull or a container-config error, or restarted ' +
    'more than `maxRestarts` times. Terminating and Succeeded (completed) pods are not judged. Every bad pod and why is ' +
    'in the evidence notes; a row per pod is kept.',
  params,
  observes: 'verdict',
  mutates: false,
  system: 'kubernetes',
  outputs: { pods: 'names of the pods judged', ready: 'how many of them were Ready' },
  examples: ['- id: api-pods\n  uses: kubernetes.pods\n  with: { selector: app=api, maxRestarts: 3 }'],
  async run(p, ctx) {
    return withKube(ctx, p.namespace, async (kube) => {
      const pods = (await listPods(kube, p.selector)).filter((pod) => !pod.metadata?.deletionTimestamp && pod.status?.phase !== 'Succeeded');
      const rows = pods.map((pod) => assessPod(pod, p.maxRestarts));
      const bad = rows.filter((r) => r.problems.length);
      const notes = bad.map((r) => `pod ${r.pod}: ${r.problems.join('; ')}`);
      const reasons = [...notes];
      if (pods.length < p.minPods) reasons.unshift(`${pods.length} pod(s) match "${p.selector}" in namespace ${kube.namespace}; expected at least ${p.minPods}`);
      const outputs = { pods: rows.map((r) => r.pod), ready: rows.filter((r) => r.ready).length };
      const details = { notes, rows: rows.map(({ problems, ...row }) => ({ ...row, problems: problems.join('; ') })) };
      if (reasons.length) return { status: 'fail', reasons, details, outputs };
      return { status: 'pass', reasons: [`${pods.length} pod(s) of "${p.selector}" Ready, restarts ≤ ${p.maxRestarts}`], details, outputs };
    });
  },
});

interface PodRow {
  pod: string;
  phase: string;
  ready: boolean;
  restarts: number;
  problems: string[];
}

function assessPod(pod: K8s.V1Pod, maxRestarts: number): PodRow {
  const name = pod.metadata?.name ?? '?';
  const phase = pod.status?.phase ?? 'Unknown';
  const ready = pod.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;
  const statuses = [...(pod.status?.initContainerStatuses ?? []), ...(pod.status?.containerStatuses ?? [])];
  const restarts = statuses.reduce((sum, s) => sum + (s.restartCount ?? 0), 0);
  const problems: string[] = [];
  for (const s of statuses) {
    const waiting = s.state?.waiting?.reason;
    if (waiting && STUCK_REASONS.has(waiting)) {
      const last = s.lastState?.terminated;
      const lastText = last ? `, last exit ${last.exitCode}${last.reason ? ` ${last.reason}` : ''}` : '';
      problems.push(`${s.name}: ${waiting} (restarts ${s.restartCount ?? 0}${lastText})`);
    }
  }
  if (phase !== 'Running') problems.push(`phase ${phase}`);
  if (!ready) {
    const condition = pod.status?.conditions?.find((c) => c.type === 'Ready');
    problems.push(`not Ready${condition?.reason ? ` (${condition.reason})` : ''}`);
  }
  if (restarts > maxRestarts) {
    const reasonsOfLastExit = statuses.map((s) => s.lastState?.terminated?.reason).filter(Boolean);
    problems.push(`restarted ${restarts} times (limit ${maxRestarts})${reasonsOfLastExit.length ? `, last: ${reasonsOfLastExit.join(', ')}` : ''}`);
  }
  return { pod: name, phase, ready, restarts, problems };
}
