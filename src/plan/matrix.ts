import type { Diagnostic } from '../playbook/diagnostics.js';
import { substitute } from '../playbook/interpolate.js';
import type { NodeSpec } from '../playbook/schema.js';
import type { ValidPlaybook } from '../playbook/validate.js';
import { planLookup, type ResolveScope } from './resolve.js';

/** The rows of a matrix (a list each, or a ${vars.X} holding one): one row per combination. */
export function expandMatrix(matrix: NodeSpec['matrix'], path: Array<string | number>, scope: ResolveScope, doc: ValidPlaybook['doc'], diagnostics: Diagnostic[]): Array<Record<string, unknown> | undefined> {
  if (!matrix) return [undefined];
  let rows: Array<Record<string, unknown>> = [{}];
  for (const [name, spec] of Object.entries(matrix)) {
    let values: unknown = spec;
    if (typeof spec === 'string') {
      const resolved = substitute(spec, planLookup(scope), [...path, name]);
      resolved.errors.forEach((e) => diagnostics.push(doc.diagnostic('unresolved-value', e.path, e.message)));
      values = resolved.value;
    }
    if (!Array.isArray(values) || values.length === 0) {
      diagnostics.push(doc.diagnostic('invalid-matrix', [...path, name], `matrix ${name} must be a non-empty list`, 'write matrix: { weight: [25, 50, 100] } or a ${vars.X} that holds a list'));
      return [undefined];
    }
    rows = rows.flatMap((row) => (values as unknown[]).map((value) => ({ ...row, [name]: value })));
  }
  return rows;
}
