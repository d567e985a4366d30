import type { z } from 'zod';
import type { CheckDefinition, SystemDefinition } from './types.js';

/** Declares a check kind. Identity at run time; it exists so params infer their type. */
export function defineCheck<S extends z.ZodType>(
  definition: CheckDefinition<z.output<S>> & { params: S },
): CheckDefinition<z.output<S>> {
  return definition;
}

/** Declares the connection settings schema of an environment system (`postgres:`). */
export function defineSystem(system: SystemDefinition): SystemDefinition {
  return system;
}
