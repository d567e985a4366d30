import { z } from 'zod';
import { formatDuration } from '../sdk/duration.js';
import type { CheckDefinition, SystemDefinition } from '../sdk/types.js';
import { nodeSchema, playbookSchema } from './schema.js';

// `rollout schema`: JSON Schema (draft-07, what editors' YAML language servers read) made from
// the zod schemas, plus what zod cannot say by itself: each kind's `with:` chosen by `uses`
// (if/then), durations as patterns, `${...}` references allowed where validation allows
// them, and a description on every field an editor shows on hover.

type Json = Record<string, unknown>;

export type KindSchemaSource = Pick<CheckDefinition, 'kind' | 'summary' | 'params'>;
export type SystemSchemaSource = Pick<SystemDefinition, 'name' | 'summary' | 'settings'>;

const REFERENCE: Json = {
  type: 'string',
  pattern: '\\$\\{',
  description: 'A reference resolved at run time: ${vars.NAME}, ${env:NAME}, ${secret:NAME}, ${matrix.NAME}, ${nodes.ID.observed}, ${nodes.ID.outputs.NAME}',
};

const DURATION_HELP = 'A duration: 500ms, 30s, 5m, 2h, 7d';

const DOCS = {
  top: {
    version: 'Playbook format version; always 1.',
    name: 'Lowercase letters, digits and "-"; names the evidence files.',
    description: 'What this playbook gates.',
    checks: "A folder of the team's own compiled check modules (.js), relative to the playbook.",
    defaults: 'Timeout, retries and interval for every non-mutating node that does not state its own.',
    environments: 'The environments --env picks from: vars and systems (postgres, prometheus, kubernetes) for each.',
    gates: 'Readiness gates, run by `rollout check` and before the stages of `rollout promote`.',
    stages: 'The cut-over sequence of `rollout promote`, in order.',
    rollback: 'Triggers (`rollout watch`), the rollback steps and their verification (`rollout rollback`).',
  },
  node: {
    id: 'Unique in the playbook: lowercase letters, digits, "-" and "_" (no dots).',
    title: "Shown in reports; defaults to the kind's summary.",
    uses: 'The check kind (`rollout checks` lists them).',
    with: "The kind's parameters (`rollout checks KIND` explains them).",
    expect: 'The healthy condition on what the check observed: "<= 0.05", ">= 2.0.0", "== on", "in [a, b]", "=~ /re/".',
    observe: 'Which of several things the kind looks at (e.g. stdout for exec, json:$.path for http).',
    needs: 'Node ids that must pass first; when one does not, this node is skipped.',
    severity: 'blocker (default): a failure blocks. warning: a failure is reported as warn and does not change the verdict.',
    timeout: 'Bounds one attempt, query or sample (never a whole for: window).',
    retries: 'Further attempts after fail or error, interval apart; the last attempt decides.',
    interval: 'Time between retries, and between samples of a for: window.',
    for: 'The condition must hold at every evaluation in this window (a soak); a trigger fires when it failed throughout.',
    failureLimit: 'Watch triggers: fire once more than this many evaluations failed, in a row or not (default 0).',
    consecutiveErrorLimit: 'Watch triggers: end the watch (exit 3) once more than this many evaluations in a row errored; a pass or a failure resets the count (default 0).',
    environments: 'Run only in these environments; elsewhere the node is skipped and its values are not resolved.',
    matrix: 'One instance per value, ID[value], with ${matrix.NAME}: { weight: [25, 50, 100] }.',
    connection: 'Which named connection of the system to use (postgres: { primary: ..., standby: ... }).',
    onEmpty: 'An empty result is error by default (fail closed); say fail or pass to decide otherwise.',
    onError: 'fail: an evaluation error counts as a failure of the condition.',
    onInconclusive: 'pass or fail: what an inconclusive result (too little data to decide) counts as; unset, it is inconclusive (exit 3, never a pass).',
    mutates: 'Whether the node changes a system: false lets a step run in --dry-run; true lets a mutating kind stand under gates/verify.',
    ifPassed: 'Rollback steps: run only if these promote nodes passed.',
  },
  stage: {
    id: 'Unique in the playbook, like node ids.',
    title: 'Shown in reports.',
    gates: 'Before the steps: top-level gate ids or inline nodes.',
    steps: 'The actions, a DAG; every step mutates unless it says mutates: false.',
    verify: 'Checks after the steps; a for: here soaks from the end of the steps.',
    onFailure: 'stop (default), or rollback: run the rollback section before finally.',
    finally: 'Steps that always run (e.g. leave maintenance mode).',
    matrix: 'One stage instance per value, in list order, stopping at the first failure.',
    environments: 'Run this stage only in these environments.',
  },
  defaults: {
    timeout: 'Default timeout of one attempt.',
    retries: 'Default number of further attempts.',
    interval: 'Default time between attempts and samples.',
  },
  rollback: {
    triggers: 'Conditions watched by `rollout watch`; a trigger fires when its node failed throughout its for: window.',
    steps: 'The rollback, a DAG like the steps of a stage.',
    verify: 'Checks after the rollback (e.g. row counts unchanged).',
  },
} satisfies Record<string, Record<string, string>>;

const TO_JSON = { io: 'input', unrepresentable: 'any', target: 'draft-7' } as const;

/** The playbook JSON Schema, with `with:` checked per kind, and each environment's systems. */
export function buildPlaybookJsonSchema(kinds: KindSchemaSource[], systems: SystemSchemaSource[] = []): Json {
  const plainNode = withoutSchemaKeyword(toJsonSchema(nodeSchema));
  const root = toJsonSchema(playbookSchema);
  const node = describeNode(plainNode, kinds);
  const linked = replaceDeep(root, JSON.stringify(plainNode), { $ref: '#/definitions/node' }) as Json;
  describeProperties(linked, DOCS.top);
  const properties = linked.properties as Record<string, Json>;
  describeProperties(properties.defaults!, DOCS.defaults);
  describeProperties(properties.rollback!, DOCS.rollback);
  describeProperties((properties.stages!.items as Json), DOCS.stage);
  if (systems.length) (properties.environments as Json).additionalProperties = environmentJsonSchema(systems);
  return {
    $schema: 'http://json-schema.org/draft-07/schema#',
    title: 'rollout playbook v1',
    ...withoutSchemaKeyword(linked),
    definitions: { node, reference: REFERENCE },
  };
}

function describeNode(plain: Json, kinds: KindSchemaSource[]): Json {
  const node = structuredClone(plain);
  describeProperties(node, DOCS.node);
  const properties = node.properties as Record<string, Json>;
  properties.uses = {
    description: DOCS.node.uses,
    anyOf: [...kinds.map((k) => ({ const: k.kind, description: k.summary })), { type: 'string', description: "A kind from the playbook's checks: folder." }],
  };
  node.allOf = kinds.map((k) => {
    const params = paramsJsonSchema(k);
    const required = (params.required as string[] | undefined)?.length ? { required: ['with'] } : {};
    return { if: { properties: { uses: { const: k.kind } }, required: ['uses'] }, then: { properties: { with: params }, ...required } };
  });
  return node;
}

/** vars, and each system as one connection or a map of named ones (`primary`, `standby`). */
function environmentJsonSchema(systems: SystemSchemaSource[]): Json {
  const properties: Record<string, Json> = { vars: { type: 'object', description: 'Values for ${vars.NAME}.' } };
  for (const system of systems) {
    const settings = allowReferences(withoutSchemaKeyword(toJsonSchema(system.settings)));
    properties[system.name] = { description: system.summary, anyOf: [settings, { type: 'object', description: 'Named connections; a node picks one with connection:.', additionalProperties: settings }] };
  }
  return { type: 'object', properties, additionalProperties: false };
}

function paramsJsonSchema(kind: KindSchemaSource): Json {
  const schema = allowReferences(withoutSchemaKeyword(toJsonSchema(kind.params)));
  return { ...schema, description: `${kind.kind}: ${kind.summary}` };
}

function toJsonSchema(schema: z.ZodType): Json {
  return z.toJSONSchema(schema, { ...TO_JSON, override: markDuration }) as Json;
}

/** zod sees a duration as a string with a transform; an editor should see its pattern. */
function markDuration(ctx: { zodSchema: unknown; jsonSchema: Json }): void {
  const schema = ctx.zodSchema as z.ZodType & { _zod: { def: { type: string; innerType?: z.ZodType } } };
  const def = schema._zod.def;
  if (def.type === 'default' && def.innerType && durationPattern(def.innerType) && typeof ctx.jsonSchema.default === 'number') {
    ctx.jsonSchema.default = formatDuration(ctx.jsonSchema.default);
    return;
  }
  if (def.type !== 'pipe') return;
  const pattern = durationPattern(schema);
  if (!pattern) return;
  ctx.jsonSchema.pattern = pattern;
  ctx.jsonSchema.description ??= DURATION_HELP;
}

const patterns = new WeakMap<object, string | undefined>();

/**
 * The pattern of a duration field, found by asking the field itself (so it follows the
 * parser: compound `1h30m`, `${vars.X}`), or undefined when the field is not a duration.
 */
export function durationPattern(schema: z.ZodType): string | undefined {
  if (patterns.has(schema)) return patterns.get(schema);
  const five = schema.safeParse('5m');
  const isDuration = five.success && five.data === 300_000 && !schema.safeParse('5').success && !schema.safeParse('5 minutes').success;
  let pattern: string | undefined;
  if (isDuration) {
    const n = '\\d+(?:\\.\\d+)?';
    const units = schema.safeParse('1h30m').success ? `(?=\\d)(?:${n}d)?(?:${n}h)?(?:${n}m(?!s))?(?:${n}s)?(?:${n}ms)?` : `${n}(?:ms|s|m|h|d)`;
    // A timeout refuses zero (it would mean none).
    const core = schema.safeParse('0s').success ? units : `(?!(?:0+(?:\\.0+)?(?:ms|s|m|h|d))+$)${units}`;
    pattern = schema.safeParse('${vars.x}').success ? `^(?:${core}|.*\\$\\{.*)$` : `^${core}$`;
  }
  patterns.set(schema, pattern);
  return pattern;
}

/** Validation lets any value in `with:` be a `${...}` reference (resolved later): so does the schema. */
function allowReferences(schema: Json): Json {
  const out: Json = { ...schema };
  if (isObject(out.properties)) out.properties = Object.fromEntries(Object.entries(out.properties).map(([k, v]) => [k, orReference(allowReferences(v as Json))]));
  if (isObject(out.items)) out.items = orReference(allowReferences(out.items));
  if (isObject(out.additionalProperties)) out.additionalProperties = orReference(allowReferences(out.additionalProperties));
  for (const key of ['anyOf', 'oneOf', 'allOf'] as const) if (Array.isArray(out[key])) out[key] = (out[key] as Json[]).map(allowReferences);
  return out;
}

function orReference(schema: Json): Json {
  const acceptsAnyString = (schema.type === undefined || schema.type === 'string') && !['pattern', 'enum', 'const', 'format', 'anyOf', 'oneOf', 'allOf', 'not', 'minLength', 'maxLength'].some((k) => k in schema);
  if (acceptsAnyString) return schema;
  const lifted = Object.fromEntries(['description', 'default', 'title'].filter((k) => k in schema).map((k) => [k, schema[k]]));
  return { ...lifted, anyOf: [schema, { $ref: '#/definitions/reference' }] };
}

function describeProperties(schema: Json, docs: Record<string, string>): void {
  const properties = schema.properties as Record<string, Json> | undefined;
  for (const [key, doc] of Object.entries(docs)) {
    const property = properties?.[key];
    if (property) properties[key] = { ...property, description: property.description === DURATION_HELP ? `${doc} ${DURATION_HELP}.` : doc };
  }
}

function replaceDeep(value: unknown, needle: string, replacement: Json): unknown {
  if (!isObject(value) && !Array.isArray(value)) return value;
  if (JSON.stringify(value) === needle) return replacement;
  if (Array.isArray(value)) return value.map((v) => replaceDeep(v, needle, replacement));
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, replaceDeep(v, needle, replacement)]));
}

function withoutSchemaKeyword(schema: Json): Json {
  const { $schema: _ignored, ...rest } = schema;
  return rest;
}

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
