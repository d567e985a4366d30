import type { CheckDefinition, CheckResult, Observed } from '../sdk/types.js';
import { isError, isVerdict } from '../sdk/types.js';
import { judge, show, type Expectation } from '../playbook/expect.js';
import type { PlanNode } from '../plan/types.js';

export interface Judged {
  status: 'pass' | 'fail' | 'error';
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
  const judgement = judge(expectation, result.observed, {
    ...(result.unit ?? definition.unit ? { unit: result.unit ?? definition.unit } : {}),
    ...(result.quantifier ? { quantifier: result.quantifier } : {}),
    versions: definition.observes === 'version',
    ...(node.onEmpty ? { onEmpty: node.onEmpty } : {}),
  });
  return { status: judgement.status, message: judgement.message, observed: result.observed, ...(judgement.offenders ? { reasons: judgement.offenders } : {}) };
}
