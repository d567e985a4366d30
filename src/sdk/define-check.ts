import type { z } from 'zod';
import type { CheckContext, CheckDefinition, EvaluationError, SystemDefinition, SystemSpec, TypedSystem } from './types.js';

/** Declares a check kind. Identity at run time; it exists so params infer their type. */
export function defineCheck<S extends z.ZodType>(
  definition: CheckDefinition<z.output<S>> & { params: S },
): CheckDefinition<z.output<S>> {
  return definition;
}

/**
 * Declares an environment system (`postgres:`) with its settings schema. Its hooks and its
 * kinds (through `connectionOf`) receive the settings parsed by that schema — defaults
 * applied, durations in ms — so no family re-reads `Record<string, unknown>`.
 */
export function defineSystem<S extends z.ZodType>(spec: SystemSpec<z.output<S>> & { settings: S }): TypedSystem<z.output<S>> {
  type Settings = z.output<S>;
  // The plan parses each connection's settings with this schema once (durations in ms,
  // defaults applied) and hands on that output. Settings given as written (a test calling a
  // kind directly) parse here; output that does not parse again is taken as already parsed.
  const parse = (raw: unknown): { ok: true; value: Settings } | { ok: false; message: string } => {
    const parsed = spec.settings.safeParse(raw);
    if (parsed.success) return { ok: true, value: parsed.data };
    const given = (path: PropertyKey[]) => path.reduce<unknown>((value, key) => (value && typeof value === 'object' ? (value as Record<PropertyKey, unknown>)[key] : undefined), raw);
    if (raw && typeof raw === 'object' && parsed.error.issues.every((i) => i.code === 'invalid_type' && given(i.path) !== undefined)) return { ok: true, value: raw as Settings };
    return { ok: false, message: parsed.error.issues.map((i) => `${i.path.length ? `${i.path.join('.')}: ` : ''}${i.message}`).join('; ') };
  };
  const system: SystemDefinition = { name: spec.name, summary: spec.summary, settings: spec.settings };
  if (spec.guard) {
    const guard = spec.guard;
    system.guard = async (raw, info) => {
      const parsed = parse(raw);
      return parsed.ok ? guard(parsed.value, info) : parsed.message;
    };
  }
  if (spec.childEnv) {
    const childEnv = spec.childEnv;
    system.childEnv = async (raw, info) => {
      const parsed = parse(raw);
      if (!parsed.ok) throw new Error(`${spec.name}: ${parsed.message}`);
      return childEnv(parsed.value, info);
    };
  }
  if (spec.lock) {
    const lock = spec.lock;
    system.lock = async (raw, info, request) => {
      const parsed = parse(raw);
      return parsed.ok ? lock(parsed.value, info, request) : { ok: false, message: `${spec.name}: ${parsed.message}` };
    };
  }
  return {
    ...system,
    connectionOf(ctx: CheckContext): { name: string; settings: Settings } | EvaluationError {
      const info = ctx.connection(spec.name);
      if (!info) return { error: `this environment has no ${spec.name}: settings${spec.missingHint ? ` (${spec.missingHint})` : ''}` };
      const parsed = parse(info.settings);
      if (!parsed.ok) return { error: `${spec.name} connection${info.name === 'default' ? '' : ` "${info.name}"`}: ${parsed.message}` };
      return { name: info.name, settings: parsed.value };
    },
  };
}
