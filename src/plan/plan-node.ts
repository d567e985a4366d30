import type { Diagnostic } from '../playbook/diagnostics.js';
import { findReferences, parseReference, substitute } from '../playbook/interpolate.js';
import { effectiveExpect, effectiveObserve, kindMutates, nodeMutation } from '../playbook/node-semantics.js';
import type { ValidPlaybook } from '../playbook/validate.js';
import type { NodeSite } from '../playbook/walk.js';
import { issueId } from '../playbook/zod-diagnostics.js';
import type { CheckDefinition } from '../sdk/types.js';
import { dig, parseResolved } from './parse-resolved.js';
import { describeSources } from './reference-sources.js';
import { planLookup, type ResolveScope } from './resolve.js';
import { resolveDurations, type DurationField } from './resolve-durations.js';
import type { PlanNode } from './types.js';

export const BUILT_IN_DEFAULTS = { timeoutMs: 30_000, retries: 0, intervalMs: 5_000 };

/** One instance of a node in this environment: values resolved, limits and defaults applied. */
export function planNode(site: NodeSite, definition: CheckDefinition, id: string, row: Record<string, unknown> | undefined, skip: string | undefined, scope: ResolveScope, valid: ValidPlaybook, env: string, diagnostics: Diagnostic[]): PlanNode {
  const { node, path } = site;
  const defaults = valid.playbook.defaults ?? {};
  let params: Record<string, unknown> = node.with ?? {};
  let expect = node.expect;
  let title = node.title ?? definition.summary;
  let deferred = false;
  let durations: Partial<Record<DurationField, number>> = {};
  let parsedParams: Record<string, unknown> | undefined;
  if (!skip) {
    durations = resolveDurations(node, path, scope, valid.doc, env, diagnostics);
    const lookup = planLookup(scope);
    const resolved = substitute({ with: params, expect, title }, lookup, path);
    for (const error of resolved.errors) diagnostics.push(valid.doc.diagnostic('unresolved-value', error.path, error.message, 'values resolve only for the nodes a run plans; set it, or limit the node with environments:'));
    const value = resolved.value as { with: Record<string, unknown>; expect?: string; title: string };
    params = value.with;
    expect = value.expect;
    title = value.title;
    deferred = resolved.deferred;
    if (!deferred && !resolved.errors.length) {
      const checked = parseResolved(definition, node.with ?? {}, params);
      if (!checked.success) {
        for (const issue of checked.error.issues) {
          const at = issue.path as Array<string | number>;
          const where = describeSources(valid.doc, env, dig(node.with ?? {}, at));
          diagnostics.push(valid.doc.diagnostic(issueId(issue, 'invalid-parameter'), [...path, 'with', ...at], `after resolving values in ${env}: ${issue.message}`, where ?? 'check the value the reference resolves to in this environment'));
        }
      } else {
        params = checked.data as Record<string, unknown>;
        parsedParams = params;
      }
    }
  }
  const mutation = nodeMutation(site, definition, kindMutates(definition, parsedParams ?? parsedWithoutValues(definition, params)));
  if (mutation.problem && !skip) diagnostics.push(valid.doc.diagnostic('undeclared-mutation', [...path, 'uses'], mutation.problem.message, mutation.problem.hint));
  const mutates = mutation.mutates;
  // Mutating nodes and people (approvals) take only what they state.
  const useDefaults = !mutates && !definition.interactive;
  const timeoutMs = durations.timeout ?? (useDefaults ? defaults.timeout ?? BUILT_IN_DEFAULTS.timeoutMs : undefined);
  const isWindow = node.for !== undefined || site.section === 'trigger';
  const observe = effectiveObserve(definition, node.observe);
  const effective = effectiveExpect(definition, expect, observe);
  const refs = findReferences({ with: node.with, expect: node.expect }).flatMap((found) => {
    const reference = parseReference(found.body);
    return !('error' in reference) && reference.type === 'node' ? [reference.id] : [];
  });
  return {
    id,
    baseId: node.id,
    kind: node.uses,
    title: row ? `${title} [${Object.values(row).map(String).join(', ')}]` : title,
    role: site.section,
    ...(site.stage ? { stage: site.stage } : {}),
    params,
    ...(effective !== undefined ? { expect: effective } : {}),
    ...(observe !== undefined ? { observe } : {}),
    severity: node.severity ?? 'blocker',
    ...(timeoutMs !== undefined ? { timeoutMs } : {}),
    retries: isWindow ? 0 : node.retries ?? (useDefaults ? defaults.retries ?? BUILT_IN_DEFAULTS.retries : 0),
    intervalMs: durations.interval ?? (useDefaults ? defaults.interval : undefined) ?? BUILT_IN_DEFAULTS.intervalMs,
    ...(durations.for !== undefined ? { forMs: durations.for } : {}),
    ...(node.failureLimit !== undefined ? { failureLimit: node.failureLimit } : {}),
    ...(node.consecutiveErrorLimit !== undefined ? { consecutiveErrorLimit: node.consecutiveErrorLimit } : {}),
    needs: node.needs ?? [],
    mutates,
    ...(node.connection ? { connection: node.connection } : {}),
    ...(node.onEmpty ? { onEmpty: node.onEmpty } : {}),
    ...(node.onError ? { onError: node.onError } : {}),
    ...(node.onInconclusive ? { onInconclusive: node.onInconclusive } : {}),
    ...(node.ifPassed ? { ifPassed: node.ifPassed } : {}),
    ...(skip ? { skip } : {}),
    deferred,
    refs: [...new Set(refs)],
    docPath: path,
  };
}

/** Parameters still holding ${nodes...} parse when those fields take any text; else unknown. */
function parsedWithoutValues(definition: CheckDefinition, params: Record<string, unknown>): unknown {
  const parsed = definition.params.safeParse(params);
  return parsed.success ? parsed.data : undefined;
}
