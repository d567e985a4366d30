import { findReferences, parseReference } from '../playbook/interpolate.js';
import type { LoadedDocument } from '../playbook/load.js';

/**
 * Where the values behind a written text come from — `vars.soak is set at rollout.yaml:7:19`,
 * `environment variable SOAK` — so a value that is wrong in one environment is found at its source.
 */
export function describeSources(doc: LoadedDocument, env: string, written: unknown): string | undefined {
  const sources: string[] = [];
  for (const found of findReferences(written)) {
    const reference = parseReference(found.body);
    if ('error' in reference) continue;
    if (reference.type === 'vars') {
      const { line, column } = doc.locate(['environments', env, 'vars', reference.name]);
      sources.push(`vars.${reference.name} is set at ${doc.file}:${line}:${column} (environment ${env})`);
    } else if (reference.type === 'env') sources.push(`it comes from the environment variable ${reference.name}`);
    else if (reference.type === 'matrix') sources.push(`it comes from matrix.${reference.name}`);
  }
  return sources.length ? [...new Set(sources)].join('; ') : undefined;
}
