import type { CheckDefinition } from '../sdk/types.js';
import { mutatesBySection, type NodeSite } from './walk.js';

// Validation, planning and the run ask the same two questions of a node; each has one answer here.

/** What a node observes: as written, else the kind's default choice. */
export function effectiveObserve(definition: CheckDefinition, observe: string | undefined): string | undefined {
  return observe ?? definition.observeChoices?.default;
}

/** The condition a node is judged by: its `expect`, else the kind's default for what it observes. */
export function effectiveExpect(definition: CheckDefinition, expect: string | undefined, observe: string | undefined): string | undefined {
  if (expect !== undefined || definition.observes === 'verdict') return expect;
  const chosen = effectiveObserve(definition, observe);
  return typeof definition.defaultExpect === 'function' ? definition.defaultExpect(chosen) : definition.defaultExpect;
}

/**
 * Whether the kind changes a system with these (parsed) parameters; undefined while they
 * are not known (references not yet resolved). A kind that throws is taken to mutate, so
 * dry runs stay safe.
 */
export function kindMutates(definition: CheckDefinition, parsedParams: unknown): boolean | undefined {
  if (typeof definition.mutates === 'boolean') return definition.mutates;
  if (parsedParams === undefined) return undefined;
  try {
    return (definition.mutates as (p: unknown) => boolean)(parsedParams);
  } catch {
    return true;
  }
}

export interface NodeMutation {
  mutates: boolean;
  /** A mutating kind where nodes only look, without `mutates: true`: refused. */
  problem?: { message: string; hint: string };
}

/**
 * Steps and finally nodes mutate unless they say `mutates: false`; elsewhere a node mutates
 * when its kind does (unknown counts as mutating) or it says so — and a kind that mutates
 * must be declared there.
 */
export function nodeMutation(site: NodeSite, definition: CheckDefinition, byKind: boolean | undefined): NodeMutation {
  const declared = site.node.mutates;
  if (mutatesBySection(site.section)) return { mutates: declared !== false };
  if (byKind === true && declared !== true) {
    return {
      mutates: true,
      problem: { message: `${definition.kind} changes a system, and ${sectionName(site)} only look`, hint: 'say mutates: true on this node if it really belongs here (it will not run in --dry-run)' },
    };
  }
  return { mutates: byKind !== false || declared === true };
}

function sectionName(site: NodeSite): string {
  return site.section === 'gate' || site.section === 'stage-gate' ? 'gates' : site.section === 'trigger' ? 'triggers' : 'verify nodes';
}
