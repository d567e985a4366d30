import type * as K8s from '@kubernetes/client-node';
import { z } from 'zod';
import { defineCheck } from '../../src/sdk/index.js';
import { withKube, type Kube } from './client.js';
import { label, listPods, listWorkloads, namespaceParam, readWorkload, selectorToString, workloadKind, type WorkloadKind } from './workloads.js';

const digest = z.string().regex(/^sha256:[0-9a-f]{64}$/, 'a digest looks like sha256:<64 hex digits>');

const params = z.strictObject({
  kind: workloadKind.default('Deployment').describe('Kind of the workload named by `name`'),
  name: z.string().min(1).optional().describe('One workload (and its pods); without it and without `selector`, every workload and pod of the namespace'),
  selector: z.string().min(1).optional().describe('Label selector: Deployments, StatefulSets, DaemonSets and pods with these labels'),
  namespace: namespaceParam,
  includePods: z.boolean().default(true).describe('Also judge the images the pods actually run (a pod can lag behind its template)'),
  forbidLatest: z.boolean().default(true).describe('`:latest` and untagged images (which mean :latest) are violations'),
  requireDigest: z.boolean().default(false).describe('Every image must be pinned by digest (`@sha256:...`)'),
  allowedRegistries: z.array(z.string().min(1)).optional().describe('Registries (or registry/path prefixes) images may come from; Docker Hub is `docker.io`'),
  tagPattern: z.string().min(1).optional().describe('Regular expression every tag must match, e.g. `^v\\d+\\.\\d+\\.\\d+$`'),
  expectedDigests: z.record(z.string(), digest).optional().describe('container name or repository → the digest it must run (from the spec or the pod\'s imageID)'),
}).refine((p) => !(p.name && p.selector), { message: 'give `name` or `selector`, not both' });

export interface ImageRef {
  registry: string;
  repository: string;
  tag?: string;
  digest?: string;
}

/** Docker's reference rules: a first component with a dot, a colon or `localhost` is a registry. */
export function parseImage(reference: string): ImageRef {
  const [namePart = '', digestPart] = reference.split('@');
  const lastSlash = namePart.lastIndexOf('/');
  const colon = namePart.lastIndexOf(':');
  const tag = colon > lastSlash ? namePart.slice(colon + 1) : undefined;
  const path = colon > lastSlash ? namePart.slice(0, colon) : namePart;
  const [first = '', ...rest] = path.split('/');
  const isRegistry = rest.length > 0 && (first.includes('.') || first.includes(':') || first === 'localhost');
  const registry = isRegistry ? first : 'docker.io';
  let repository = isRegistry ? rest.join('/') : path;
  if (registry === 'docker.io' && !repository.includes('/')) repository = `library/${repository}`;
  return { registry, repository, tag, digest: digestPart };
}

interface Seen {
  /** `Deployment/api` or `Pod/api-7d9f-a1b2c` */
  owner: string;
  container: string;
  image: string;
  /** The digest the node actually pulled (pod status imageID). */
  runningDigest?: string;
}

export default defineCheck({
  kind: 'kubernetes.images',
  summary: 'Every container image of the selected workloads and pods obeys a policy (no :latest, pinned, allowed registries, expected digests)',
  description:
    'Collects the images of the pod templates of the selected workloads (init containers included) and, with ' +
    '`includePods`, of their pods — with the digest each pod actually runs. Each image is judged: `:latest` or untagged ' +
    '(`forbidLatest`), no digest (`requireDigest`), a registry outside `allowedRegistries`, a tag not matching ' +
    '`tagPattern`, a digest different from `expectedDigests`. Every violation is listed. The images seen are outputs, ' +
    'so a later rollback can return to them.',
  params,
  observes: 'verdict',
  mutates: false,
  system: 'kubernetes',
  outputs: {
    images: 'the distinct images seen, sorted',
    containers: 'owner/container → image (e.g. "Deployment/api/api")',
    image: 'the image, when exactly one distinct image was seen (else null)',
  },
  examples: [
    '- id: images-pinned\n  uses: kubernetes.images\n  with: { name: api, requireDigest: true, allowedRegistries: [registry.example.com], tagPattern: "^v\\\\d+\\\\.\\\\d+\\\\.\\\\d+$" }',
    '- id: images-as-built\n  uses: kubernetes.images\n  with:\n    name: api\n    expectedDigests: { api: "${env:API_DIGEST}" }',
  ],
  async run(p, ctx) {
    return withKube(ctx, p.namespace, async (kube) => {
      const seen = await collectImages(kube, p);
      if (!seen.length) return { error: `no containers found for ${describeScope(p)} in namespace ${kube.namespace}` };
      const tagPattern = p.tagPattern ? new RegExp(p.tagPattern) : undefined;
      const violations: string[] = [];
      for (const s of seen) {
        for (const problem of judgeImage(s, { ...p, tagPattern })) violations.push(`${s.owner} container ${s.container}: ${s.image} — ${problem}`);
      }
      const images = [...new Set(seen.map((s) => s.image))].sort();
      const outputs = {
        images,
        containers: Object.fromEntries(seen.map((s) => [`${s.owner}/${s.container}`, s.image])),
        image: images.length === 1 ? images[0] : null,
      };
      const details = { rows: seen.map((s) => ({ owner: s.owner, container: s.container, image: s.image, runningDigest: s.runningDigest ?? '' })), notes: violations };
      if (violations.length) return { status: 'fail', reasons: violations, details, outputs };
      return { status: 'pass', reasons: [`${seen.length} container image(s) of ${describeScope(p)} obey the policy`], details, outputs };
    });
  },
});

type Params = z.output<typeof params>;

function describeScope(p: Params): string {
  if (p.name) return `${p.kind}/${p.name}`;
  if (p.selector) return `"${p.selector}"`;
  return 'the namespace';
}

async function collectImages(kube: Kube, p: Params): Promise<Seen[]> {
  const seen: Seen[] = [];
  const addTemplate = (owner: string, spec: K8s.V1PodSpec | undefined): void => {
    for (const c of [...(spec?.initContainers ?? []), ...(spec?.containers ?? [])]) seen.push({ owner, container: c.name, image: c.image ?? '' });
  };
  let podSelector: string | undefined = p.selector;
  if (p.name) {
    const workload = await readWorkload(kube, p.kind, p.name);
    addTemplate(label(p.kind, p.name), workload.spec?.template?.spec);
    podSelector = selectorToString(workload.spec?.selector);
  } else {
    for (const kind of ['Deployment', 'StatefulSet', 'DaemonSet'] as WorkloadKind[]) {
      for (const w of await listWorkloads(kube, kind, p.selector)) addTemplate(label(kind, w.metadata?.name), w.spec?.template?.spec);
    }
  }
  if (p.includePods) {
    for (const pod of await listPods(kube, podSelector)) {
      if (pod.status?.phase === 'Succeeded') continue;
      const statuses = [...(pod.status?.initContainerStatuses ?? []), ...(pod.status?.containerStatuses ?? [])];
      for (const c of [...(pod.spec?.initContainers ?? []), ...(pod.spec?.containers ?? [])]) {
        const status = statuses.find((s) => s.name === c.name);
        const runningDigest = status?.imageID?.match(/sha256:[0-9a-f]{64}/)?.[0];
        seen.push({ owner: label('Pod', pod.metadata?.name), container: c.name, image: c.image ?? '', runningDigest });
      }
    }
  }
  return seen;
}

function judgeImage(s: Seen, policy: Omit<Params, 'tagPattern'> & { tagPattern?: RegExp }): string[] {
  if (!s.image) return ['no image'];
  const ref = parseImage(s.image);
  const problems: string[] = [];
  if (policy.forbidLatest && ref.tag === 'latest') problems.push('uses :latest');
  if (policy.forbidLatest && !ref.tag && !ref.digest) problems.push('untagged (means :latest)');
  if (policy.requireDigest && !ref.digest) problems.push('not pinned by digest');
  if (policy.allowedRegistries) {
    const full = `${ref.registry}/${ref.repository}`;
    const allowed = policy.allowedRegistries.some((entry) => {
      const prefix = entry.replace(/\/$/, '');
      return ref.registry === prefix || full.startsWith(`${prefix}/`);
    });
    if (!allowed) problems.push(`registry ${ref.registry} is not allowed (allowed: ${policy.allowedRegistries.join(', ')})`);
  }
  if (policy.tagPattern && !(ref.tag && policy.tagPattern.test(ref.tag))) problems.push(ref.tag ? `tag ${ref.tag} does not match ${policy.tagPattern.source}` : `no tag to match ${policy.tagPattern.source}`);
  const expected = policy.expectedDigests?.[s.container] ?? policy.expectedDigests?.[`${ref.registry}/${ref.repository}`] ?? policy.expectedDigests?.[ref.repository];
  if (expected) {
    const actual = s.runningDigest ?? ref.digest;
    if (!actual) problems.push(`digest unknown, expected ${expected}`);
    else if (actual !== expected) problems.push(`runs ${actual}, expected ${expected}`);
  }
  return problems;
}
