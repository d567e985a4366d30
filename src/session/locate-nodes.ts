import { isAbsolute, relative, resolve } from 'node:path';
import type { LoadedDocument } from '../playbook/load.js';
import type { Plan } from '../plan/types.js';
import type { RunResult } from '../run/types.js';

/**
 * Each node's file:line:col in the playbook, for reports that link back to it (GitLab reads
 * a JUnit testcase's `file`). The path is relative to `projectDir` (GitLab's CI_PROJECT_DIR,
 * else the working directory) when the playbook is inside it, as a repository link needs.
 * Finding positions costs a positioned parse of the playbook, so only reports that show them ask.
 */
export function locateNodes(result: RunResult, plan: Plan, doc: LoadedDocument, projectDir: string): RunResult {
  const absolute = resolve(plan.playbook.file);
  const inside = relative(resolve(projectDir), absolute);
  const file = inside && !inside.startsWith('..') && !isAbsolute(inside) ? inside.split('\\').join('/') : absolute;
  const paths = new Map(plan.nodes.map((n) => [n.id, n.docPath]));
  const nodes = result.nodes.map((node) => {
    const path = paths.get(node.id);
    if (!path) return node;
    const { line, column } = doc.locate(path);
    return { ...node, source: { file, line, column } };
  });
  return { ...result, nodes };
}
