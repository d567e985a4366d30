import type { SystemDefinition } from '../sdk/types.js';
import type { Path } from './diagnostics.js';
import { shapeKeys } from './zod-diagnostics.js';

export function connectionsOf(system: SystemDefinition, value: unknown, path: Path): Array<[string, unknown, Path]> {
  if (value && typeof value === 'object' && !Array.isArray(value) && !system.settings.safeParse(value).success) {
    const entries = Object.entries(value as Record<string, unknown>);
    const keys = shapeKeys(system.settings);
    const looksNamed = entries.length > 0 && entries.every(([k, v]) => v && typeof v === 'object' && !Array.isArray(v) && !keys.includes(k));
    if (looksNamed) return entries.map(([name, settings]) => [name, settings, [...path, name]]);
  }
  return [['default', value, path]];
}
