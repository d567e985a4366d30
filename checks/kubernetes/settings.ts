import { z } from 'zod';

export const kubernetesSettings = z.strictObject({
  /** A kubeconfig file (relative to the playbook). Default: KUBECONFIG, else ~/.kube/config. */
  kubeconfig: z.string().min(1).optional(),
  /** The context to use. Required: the current context is never used implicitly. */
  context: z.string().min(1, 'name the kubeconfig context, e.g. context: staging'),
  /** Default namespace for this environment's Kubernetes nodes. */
  namespace: z.string().min(1).optional(),
});

export type KubernetesSettings = z.infer<typeof kubernetesSettings>;
