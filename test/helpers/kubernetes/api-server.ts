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

import type { CheckDefinition, CheckResult } from '../../../src/sdk/index.js';
import { createCheckContext } from '../check-context.js';

export interface RunOptions {
  context?: string;
  timeoutMs?: number;
  settings?: Record<string, unknown>;
}

/** Validates `with` through the kind's schema (as the core does) and runs it against the server. */
export async function runKind(definition: CheckDefinition, withParams: unknown, server: FixtureApiServer, options: RunOptions = {}): Promise<CheckResult & { logs: string[] }> {
  const params = definition.params.parse(withParams);
  const ctx = createCheckContext({
    timeoutMs: options.timeoutMs ?? 10_000,
    connections: { kubernetes: options.settings ?? kubeSettings(server, options.context) },
  });
  try {
    const result = await definition.run(params, ctx);
    return { ...result, logs: ctx.logs };
  } finally {
    await ctx.close();
  }
}
