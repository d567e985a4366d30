import type { CheckDefinition, CheckResult, Observed, Unit } from '../sdk/types.js';
import { isError, isVerdict } from '../sdk/types.js';
import { judge, show, type Expectation, type JudgeOptions } from '../expect/index.js';
import type { PlanNode } from '../plan/types.js';

export interface Judged {
  status: 'pass' | 'fail' | 'error' | 'inconclusive';
  message: string;
  observed?: Observed;
  reasons?: string[];
}

/** The core's one judgement of what a check returned: errors, verdicts, observations. */
export function judgeResult(result: CheckResult, node: PlanNode, definition: CheckDefinition, expectation: Expectation | undefined): Judged {
  if (isError(result)) return { status: 'error', message: result.error };
  if (isVerdict(result)) {
    return { status: result.status, message: result.reasons.length ? result.reasons.join('; ') : result.status === 'pass' ? 'passed' : 'failed', reasons: result.reasons };
  }
  if (!expectation) return { status: 'error', message: `${definition.kind} observed ${show(result.observed)} but the node has no expect`, observed: result.observed };
  const judgement = judge(expectation, result.observed, judgeOptions(node, definition, result));
  return { status: judgement.status, message: judgement.message, observed: result.observed, ...(judgement.offenders ? { reasons: judgement.offenders } : {}) };
}

/** How an observation of this node is judged: one answer for a single attempt and for each sample of a window. */
export function judgeOptions(node: PlanNode, definition: CheckDefinition, result: { unit?: Unit; quantifier?: 'all' | 'any' }): JudgeOptions {
  const unit = result.unit ?? definition.unit;
  return {
    ...(unit ? { unit } : {}),
    ...(result.quantifier ? { quantifier: result.quantifier } : {}),
    versions: definition.observes === 'version',
    ...(node.onEmpty ? { onEmpty: node.onEmpty } : {}),
  };
}
