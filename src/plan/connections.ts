import { connectionsOf } from '../playbook/connections.js';
import type { Diagnostic } from '../playbook/diagnostics.js';
import { substitute } from '../playbook/interpolate.js';
import type { ValidPlaybook } from '../playbook/validate.js';
import { planLookup, type ResolveScope } from './resolve.js';
import type { PlanConnection, PlanNode } from './types.js';

/** The connections of the systems the planned nodes use, resolved in this environment. */
export function resolveConnections(valid: ValidPlaybook, nodes: PlanNode[], env: string, scope: ResolveScope, diagnostics: Diagnostic[]): PlanConnection[] {
  const environment = valid.playbook.environments[env]!;
  const connections: PlanConnection[] = [];
  const wanted = new Map<string, Set<string | undefined>>();
  for (const node of nodes) {
    if (node.skip) continue;
    const system = valid.kinds.get(node.kind)?.system;
    if (!system) continue;
    if (!wanted.has(system)) wanted.set(system, new Set());
    wanted.get(system)!.add(node.connection);
  }
  for (const [systemName, names] of wanted) {
    const raw = (environment as Record<string, unknown>)[systemName];
    const system = valid.systems.get(systemName);
    const user = nodes.find((n) => !n.skip && valid.kinds.get(n.kind)?.system === systemName)!;
    if (raw === undefined || !system) {
      diagnostics.push(valid.doc.diagnostic('missing-system', user.docPath, `${user.kind} needs ${systemName}: settings in environment ${env}, which has none`, `add environments.${env}.${systemName}`, 'uses'));
      continue;
    }
    const available = connectionsOf(system, raw, ['environments', env, systemName]);
    for (const wantedName of names) {
      // A node that names no connection takes the first one, as written.
      const chosen = wantedName === undefined ? available[0] : available.find(([name]) => name === wantedName);
      if (!chosen) {
        const holder = nodes.find((n) => n.connection === wantedName && valid.kinds.get(n.kind)?.system === systemName)!;
        diagnostics.push(valid.doc.diagnostic('unknown-connection', [...holder.docPath, 'connection'], `no ${systemName} connection "${wantedName}" in environment ${env}`, `connections: ${available.map(([n]) => n).join(', ')}`));
        continue;
      }
      const [name, settings, path] = chosen;
      if (connections.some((c) => c.system === systemName && c.name === name)) continue;
      const resolved = substitute(settings, planLookup(scope), [...path]);
      resolved.errors.forEach((e) => diagnostics.push(valid.doc.diagnostic('unresolved-value', e.path, e.message)));
      const parsed = system.settings.safeParse(resolved.value);
      connections.push({ system: systemName, name, settings: (parsed.success ? parsed.data : resolved.value) as Record<string, unknown> });
    }
  }
  return connections;
}
