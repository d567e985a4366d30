import type { CheckContext, ConnectionInfo, EvidenceAccess, OperatorInput } from '../sdk/types.js';
import type { Plan, PlanNode } from '../plan/types.js';

/** Resources shared by every node of one run (pools, agents), closed when it ends. */
export class SharedResources {
  private readonly entries = new Map<string, { value: Promise<unknown>; close?: (value: any) => Promise<void> | void }>();

  get<T>(key: string, create: () => Promise<T> | T, close?: (value: T) => Promise<void> | void): Promise<T> {
    let entry = this.entries.get(key);
    if (!entry) {
      entry = { value: Promise.resolve().then(create), ...(close ? { close } : {}) };
      this.entries.set(key, entry);
    }
    return entry.value as Promise<T>;
  }

  async closeAll(): Promise<void> {
    const entries = [...this.entries.values()];
    this.entries.clear();
    await Promise.all(entries.map(async (entry) => {
      try {
        await entry.close?.(await entry.value);
      } catch {
        // A resource that failed to open or close has nothing more to give back.
      }
    }));
  }
}

export interface ContextFactoryOptions {
  plan: Plan;
  env: Record<string, string | undefined>;
  now(): Date;
  at?: Date;
  stepsStartedAt?: Date;
  shared: SharedResources;
  log(node: PlanNode, line: string): void;
  operator?: (node: PlanNode) => OperatorInput;
  evidence?: EvidenceAccess;
}

export function createContextFactory(options: ContextFactoryOptions) {
  return (node: PlanNode, signal: AbortSignal, timeoutMs: number): CheckContext => ({
    nodeId: node.id,
    signal,
    timeoutMs,
    now: options.now,
    ...(options.at ? { at: options.at } : {}),
    ...(options.stepsStartedAt ? { stepsStartedAt: options.stepsStartedAt } : {}),
    ...(node.observe !== undefined ? { observe: node.observe } : {}),
    cwd: options.plan.playbook.dir,
    env: options.env,
    connection(system: string): ConnectionInfo | undefined {
      const candidates = options.plan.connections.filter((c) => c.system === system);
      const chosen = node.connection ? candidates.find((c) => c.name === node.connection) : candidates[0];
      return chosen ? { name: chosen.name, settings: chosen.settings } : undefined;
    },
    shared: (key, create, close) => options.shared.get(key, create, close),
    log: (line) => options.log(node, line),
    ...(options.operator ? { operator: options.operator(node) } : {}),
    ...(options.evidence ? { evidence: options.evidence } : {}),
  });
}
