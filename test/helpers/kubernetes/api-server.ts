import { startApiServer, type FixtureApiServer, type StartOptions } from '../../../fixtures/kubernetes/api-server.mjs';

export type { FixtureApiServer } from '../../../fixtures/kubernetes/api-server.mjs';

/**
 * The fixture API server for one test file (in-process, ~0.1 s to start), with a
 * kubeconfig holding the contexts `fixture`, `fixture-limited` (403 on secrets, `list pods`
 * and `patch deployments`) and `elsewhere` (the current context, another cluster).
 */
export async function startFixtureApi(options: StartOptions = {}): Promise<FixtureApiServer> {
  return startApiServer({ scenario: 'healthy', ...options });
}

/** The `kubernetes:` settings of an environment pointing at the fixture server. */
export function kubeSettings(server: FixtureApiServer, context = 'fixture'): Record<string, unknown> {
  return { kubeconfig: server.kubeconfigPath, context, namespace: server.namespace };
}
