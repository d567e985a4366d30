import type { Diagnostic } from '../playbook/diagnostics.js';
import { substitute, type Lookup, type Reference } from '../playbook/interpolate.js';

export const MIN_SECRET_LENGTH = 8;

export interface ResolveScope {
  vars: Record<string, unknown>;
  env: Record<string, string | undefined>;
  matrix?: Record<string, unknown>;
  /** Collects every secret value resolved, for the redactor. */
  secrets: Set<string>;
  /** Which secret each value came from, so a refusal can name it without showing it. */
  secretNames?: Map<string, string>;
}

/** Looks up ${vars|env|secret|matrix} now; ${nodes...} is left for the run. */
export function planLookup(scope: ResolveScope, resolving: string[] = []): Lookup {
  return (reference: Reference, body: string) => {
    switch (reference.type) {
      case 'vars': {
        if (!Object.hasOwn(scope.vars, reference.name)) return { error: `\${${body}} is not set: this environment has no var "${reference.name}"` };
        if (resolving.includes(reference.name)) return { error: `vars refer to each other in a loop: ${[...resolving, reference.name].join(' → ')}` };
        // A var may itself hold references (base: "\${env:API_URL}").
        const inner = substitute(scope.vars[reference.name], planLookup(scope, [...resolving, reference.name]));
        if (inner.errors.length) return { error: inner.errors.map((e) => e.message).join('; ') };
        return { value: inner.value };
      }
      case 'env': {
        const value = scope.env[reference.name];
        return value === undefined ? { error: `\${${body}}: environment variable ${reference.name} is not set` } : { value };
      }
      case 'secret': {
        const value = scope.env[reference.name];
        if (value === undefined || value === '') return { error: `\${${body}}: secret ${reference.name} is not set (export ${reference.name}=...)` };
        if (value.length < MIN_SECRET_LENGTH) return { error: `secret ${reference.name} is ${value.length} characters; secrets shorter than ${MIN_SECRET_LENGTH} are refused (masking them would mask ordinary text)` };
        scope.secrets.add(value);
        scope.secretNames?.set(value, reference.name);
        return { value };
      }
      case 'matrix':
        return scope.matrix && Object.hasOwn(scope.matrix, reference.name) ? { value: scope.matrix[reference.name] } : { error: `\${${body}}: no matrix value "${reference.name}" here` };
      case 'node':
        return { defer: true };
    }
  };
}

export type PlanResult<T> = { ok: true; value: T } | { ok: false; diagnostics: Diagnostic[] };
