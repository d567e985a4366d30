import { z } from 'zod';
import { duration, durationOrReference, timeoutDuration, timeoutOrReference } from '../sdk/duration.js';

// The single definition of Playbook v1. Types come from here (z.infer), and so does
// `rollout schema` (JSON Schema for editors).

const quote = (what: string) => ({ error: `expected ${what} (a number or true/false here must be quoted)` });

export const nodeId = z
  .string(quote('an id'))
  .regex(/^[a-z0-9][a-z0-9_-]*$/, 'an id is lowercase letters, digits, "-" and "_" (no dots), starting with a letter or digit');

const matrixValue = z.union([z.string(), z.number(), z.boolean()]);

const matrix = z
  .record(z.string().regex(/^[a-zA-Z_][a-zA-Z0-9_]*$/, 'a matrix name is a plain identifier'), z.union([z.array(matrixValue).min(1), z.string()]))
  .refine((m) => Object.keys(m).length > 0, 'matrix needs at least one name: { weight: [25, 50, 100] }');

export const nodeSchema = z.strictObject({
  id: nodeId,
  title: z.string(quote('a string')).optional(),
  uses: z.string(quote('a kind such as exec or postgres.query')),
  with: z.record(z.string(), z.unknown()).optional(),
  expect: z.string(quote('an expectation such as "<= 0.05", "== on" or "in [a, b]"')).optional(),
  observe: z.string(quote('a string')).optional(),
  needs: z.array(nodeId).optional(),
  severity: z.enum(['blocker', 'warning']).optional(),
  // Durations may differ per environment (a 30m soak in production, 5s on a demo).
  timeout: timeoutOrReference.optional(),
  retries: z.number().int().min(0).max(100).optional(),
  interval: durationOrReference.optional(),
  for: durationOrReference.optional(),
  // Stopping rules of a watch trigger (Argo Rollouts' analysis counting); both default to 0.
  failureLimit: z.number(quote('a whole number')).int().min(0).max(10_000).optional(),
  consecutiveErrorLimit: z.number(quote('a whole number')).int().min(0).max(10_000).optional(),
  environments: z.array(z.string()).min(1).optional(),
  matrix: matrix.optional(),
  connection: z.string(quote('a connection name')).optional(),
  onEmpty: z.enum(['fail', 'pass']).optional(),
  onError: z.enum(['fail']).optional(),
  /** Too little data to decide: `inconclusive` (exit 3) unless the node says how to count it. */
  onInconclusive: z.enum(['pass', 'fail']).optional(),
  mutates: z.boolean().optional(),
  ifPassed: z.array(nodeId).optional(),
});

export const stageSchema = z.strictObject({
  id: nodeId,
  title: z.string(quote('a string')).optional(),
  gates: z.array(z.union([nodeId, nodeSchema])).optional(),
  steps: z.array(nodeSchema).optional(),
  verify: z.array(nodeSchema).optional(),
  onFailure: z.enum(['stop', 'rollback']).optional(),
  finally: z.array(nodeSchema).optional(),
  matrix: matrix.optional(),
  environments: z.array(z.string()).min(1).optional(),
});

export const defaultsSchema = z.strictObject({
  timeout: timeoutDuration.optional(),
  retries: z.number().int().min(0).max(100).optional(),
  interval: duration.optional(),
});

/** Systems (`postgres:`, `prometheus:`, ...) are checked against each family's own schema. */
export const environmentSchema = z.looseObject({
  vars: z.record(z.string(), z.unknown()).optional(),
  /** Where this environment's evidence lives (`file:DIR`, `git+ssh://…#branch`), so CI and on-call agree without flags. */
  evidenceStore: z.string().optional(),
});

export const rollbackSchema = z.strictObject({
  triggers: z.array(nodeSchema).optional(),
  steps: z.array(nodeSchema).optional(),
  verify: z.array(nodeSchema).optional(),
});

export const playbookSchema = z.strictObject({
  version: z.literal(1, { error: 'version must be 1 (the only playbook version)' }),
  name: z.string(quote('a name')).regex(/^[a-z0-9-]+$/, 'a playbook name is lowercase letters, digits and "-" (it names evidence files)'),
  description: z.string(quote('a string')).optional(),
  /** A folder of the team's own compiled check modules (`.js`), relative to the playbook. */
  checks: z.string(quote('a folder path')).optional(),
  defaults: defaultsSchema.optional(),
  environments: z.record(z.string().regex(/^[a-z0-9][a-z0-9_-]*$/, 'an environment name is lowercase letters, digits, "-" and "_"'), environmentSchema),
  gates: z.array(nodeSchema).optional(),
  stages: z.array(stageSchema).optional(),
  rollback: rollbackSchema.optional(),
});

export type NodeSpec = z.infer<typeof nodeSchema>;
export type StageSpec = z.infer<typeof stageSchema>;
export type Playbook = z.infer<typeof playbookSchema>;
export type Defaults = z.infer<typeof defaultsSchema>;

/** The known keys of each mapping, for "did you mean" hints on unknown keys. */
export const knownKeys = {
  top: Object.keys(playbookSchema.shape),
  node: Object.keys(nodeSchema.shape),
  stage: Object.keys(stageSchema.shape),
  defaults: Object.keys(defaultsSchema.shape),
  rollback: Object.keys(rollbackSchema.shape),
};
