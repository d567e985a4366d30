import { parseExpect } from '../expect/index.js';
import type { CheckDefinition } from '../sdk/types.js';
import type { Diagnostic, Path } from './diagnostics.js';
import { findReferences, parseReference, REFERENCE_HINT } from './interpolate.js';
import type { LoadedDocument } from './load.js';
import { effectiveExpect, kindMutates, nodeMutation } from './node-semantics.js';
import type { NodeSite } from './walk.js';
import { holdsReference, shapeKeys, zodDiagnostics } from './zod-diagnostics.js';

/** One node against its kind: parameters, observe, expect, mutates, references. */
export function checkNode(doc: LoadedDocument, site: NodeSite, definition: CheckDefinition, out: Diagnostic[]): void {
  const { node, path } = site;
  const params = node.with ?? {};
  // Values with references are checked again once resolved; here only their shape is known.
  const result = definition.params.safeParse(params);
  if (!result.success) {
    const issues = result.error.issues.filter((issue) => !holdsReference(params, issue.path as Path));
    out.push(...zodDiagnostics(doc, [...path, 'with'], issues, () => shapeKeys(definition.params)));
  } else if (definition.validate) {
    for (const problem of definition.validate(result.data)) {
      out.push(doc.diagnostic('invalid-parameter', [...path, 'with', ...problem.path], problem.message, problem.hint));
    }
  }
  if (definition.observes === 'verdict' && node.expect !== undefined) {
    out.push(doc.diagnostic('expect-on-verdict', [...path, 'expect'], `${definition.kind} returns pass/fail with reasons and takes no expect`, 'remove expect; `rollout checks ' + definition.kind + '` shows what it checks'));
  }
  if (node.observe !== undefined) {
    const choices = definition.observeChoices;
    if (!choices) out.push(doc.diagnostic('observe-not-taken', [...path, 'observe'], `${definition.kind} observes one thing and takes no observe`, 'remove observe'));
    else if (!choices.patterns.some((pattern) => pattern.test(node.observe!))) {
      out.push(doc.diagnostic('unknown-observe', [...path, 'observe'], `${definition.kind} cannot observe "${node.observe}"`, `choose one of: ${choices.help.join(', ')}`));
    }
  }
  if (node.expect !== undefined && !node.expect.includes('${')) {
    const parsed = parseExpect(node.expect);
    if (!parsed.ok) out.push(doc.diagnostic('invalid-expect', [...path, 'expect'], parsed.message, parsed.hint));
  }
  if (definition.observes !== 'verdict') {
    if (effectiveExpect(definition, node.expect, node.observe) === undefined) out.push(doc.diagnostic('missing-expect', path, `${definition.kind}${node.observe ? ` observing ${node.observe}` : ''} needs an expect: the healthy condition`, 'add e.g. expect: "<= 0.05"', 'id'));
  }
  // With references in its parameters the kind's answer waits for the plan, which asks again.
  const mutation = nodeMutation(site, definition, kindMutates(definition, result.success ? result.data : undefined));
  if (mutation.problem) out.push(doc.diagnostic('undeclared-mutation', [...path, 'uses'], mutation.problem.message, mutation.problem.hint));
  for (const field of definition.argvFields ?? []) {
    for (const found of findReferences(params[field], [field])) {
      const reference = parseReference(found.body);
      if (!('error' in reference) && reference.type === 'secret') {
        out.push(doc.diagnostic('secret-in-argv', [...path, 'with', ...found.path], `\${secret:${reference.name}} in a command line is visible to every user in ps`, `pass it through env: (with: { env: { ${reference.name}: "\${secret:${reference.name}}" } }) and read it in the command`));
      }
    }
  }
  if (node.ifPassed && site.section !== 'rollback-step') {
    out.push(doc.diagnostic('if-passed-outside-rollback', [...path, 'ifPassed'], 'ifPassed belongs to rollback steps', 'remove it, or move this node under rollback.steps'));
  }
  if (node.for !== undefined && (site.section === 'step' || site.section === 'finally' || site.section === 'rollback-step')) {
    out.push(doc.diagnostic('for-on-step', [...path, 'for'], 'for: is a window over a condition; steps act once', 'move the condition to verify: or a gate'));
  }
  for (const field of ['failureLimit', 'consecutiveErrorLimit'] as const) {
    if (node[field] !== undefined && site.section !== 'trigger') out.push(doc.diagnostic('limit-outside-trigger', [...path, field], `${field}: counts the evaluations of a watch trigger; this node is not one`, 'move it to a trigger under rollback.triggers'));
  }
  for (const field of ['timeout', 'interval', 'for'] as const) {
    for (const found of findReferences(node[field], [field])) {
      const reference = parseReference(found.body);
      if ('error' in reference || (reference.type !== 'node' && reference.type !== 'secret')) continue;
      out.push(doc.diagnostic('duration-not-plannable', [...path, field], `durations resolve when the run is planned; \${${found.body}} is not known then`, 'use ${vars.NAME} or ${env:NAME}, set per environment'));
    }
  }
  for (const found of findReferences({ with: node.with, expect: node.expect, title: node.title, matrix: node.matrix, timeout: node.timeout, interval: node.interval, for: node.for })) {
    const reference = parseReference(found.body);
    if ('error' in reference) out.push(doc.diagnostic('invalid-reference', [...path, ...found.path], reference.error, REFERENCE_HINT));
    else if (reference.type === 'matrix' && !node.matrix?.[reference.name] && !site.stage) {
      out.push(doc.diagnostic('unknown-matrix-name', [...path, ...found.path], `\${matrix.${reference.name}} but this node has no matrix "${reference.name}"`, 'add matrix: { ' + reference.name + ': [...] } to the node or its stage'));
    }
  }
}
