import type { Plan, PlanNode } from './types.js';

/**
 * needs and ${nodes.X} edges point at every instance of X that this run plans — within a
 * stage instance, at the instance of the same stage instance.
 */
export function linkInstances(nodes: PlanNode[], instancesOf: Map<string, string[]>): void {
  const byId = new Map(nodes.map((n) => [n.id, n]));
  for (const node of nodes) {
    const wanted = new Set<string>();
    for (const need of [...node.needs, ...node.refs]) {
      let instances = instancesOf.get(need) ?? [];
      const sameStage = instances.filter((id) => byId.get(id)?.stageInstance === node.stageInstance);
      if (node.stageInstance && sameStage.length) instances = sameStage;
      for (const instance of instances) wanted.add(instance);
    }
    node.needs = [...wanted];
  }
}

/** Kahn's algorithm, stable in playbook order. */
export function topologicalOrder(nodes: PlanNode[]): PlanNode[] {
  const byId = new Map(nodes.map((n) => [n.id, n]));
  const indegree = new Map(nodes.map((n) => [n.id, n.needs.filter((need) => byId.has(need)).length]));
  const dependents = new Map<string, string[]>();
  for (const node of nodes) {
    for (const need of node.needs) {
      if (!byId.has(need)) continue;
      const list = dependents.get(need);
      if (list) list.push(node.id);
      else dependents.set(need, [node.id]);
    }
  }
  const order: PlanNode[] = [];
  // A queue read by index: shift() moves the whole array, quadratic on a wide DAG.
  const ready = nodes.filter((n) => indegree.get(n.id) === 0);
  for (let head = 0; head < ready.length; head++) {
    const node = ready[head]!;
    order.push(node);
    for (const next of dependents.get(node.id) ?? []) {
      indegree.set(next, indegree.get(next)! - 1);
      if (indegree.get(next) === 0) ready.push(byId.get(next)!);
    }
  }
  return order;
}

/** Levels of the DAG (longest path from a root), for printing. */
export function planLevels(plan: Plan): PlanNode[][] {
  const level = new Map<string, number>();
  for (const node of plan.nodes) level.set(node.id, Math.max(0, ...node.needs.map((n) => (level.get(n) ?? -1) + 1)));
  const levels: PlanNode[][] = [];
  for (const node of plan.nodes) (levels[level.get(node.id)!] ??= []).push(node);
  return levels;
}
