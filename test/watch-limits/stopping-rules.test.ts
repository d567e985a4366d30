import { describe, expect, it } from 'vitest';
import { assessCounts, countEvaluation, NO_COUNTS, type StoppingCounts } from '../../src/run/stopping-rules.js';

const run = (statuses: string[]): StoppingCounts => statuses.reduce(countEvaluation, NO_COUNTS);

// Argo Rollouts' own cases (analysis/analysis_test.go), translated: TestAssessMetricStatusFailureLimit,
// TestAssessMetricStatusConsecutiveErrors (default limit 4 there) and
// TestRunMeasurementsResetConsecutiveErrorCounter.
describe('stopping rules count as Argo Rollouts analysis does', () => {
  it('failureLimit 2 with 3 failures fails; failureLimit 3 with 3 failures keeps running', () => {
    const counts = run(['fail', 'fail', 'fail']);
    expect(assessCounts(counts, { failureLimit: 2, consecutiveErrorLimit: 0 })).toBe('failed');
    expect(assessCounts(counts, { failureLimit: 3, consecutiveErrorLimit: 0 })).toBe('running');
  });

  it('failures need not be in a row', () => {
    expect(assessCounts(run(['fail', 'pass', 'fail', 'pass', 'fail']), { failureLimit: 2, consecutiveErrorLimit: 0 })).toBe('failed');
  });

  it('5 errors in a row over a limit of 4 is an error; 4 is not', () => {
    expect(assessCounts(run(Array(5).fill('error')), { failureLimit: 0, consecutiveErrorLimit: 4 })).toBe('errored');
    expect(assessCounts(run(Array(4).fill('error')), { failureLimit: 0, consecutiveErrorLimit: 4 })).toBe('running');
  });

  it('an error after 4 in a row makes 5 (and 5 errors in all); a pass, a failure or any other judgement resets the streak', () => {
    expect(countEvaluation({ failed: 0, errors: 4, consecutiveErrors: 4 }, 'error')).toEqual({ failed: 0, errors: 5, consecutiveErrors: 5 });
    for (const status of ['pass', 'fail', 'inconclusive']) expect(countEvaluation({ failed: 0, errors: 4, consecutiveErrors: 4 }, status).consecutiveErrors).toBe(0);
  });

  it('an error is not a failure', () => {
    expect(run(['error', 'error', 'error'])).toEqual({ failed: 0, errors: 3, consecutiveErrors: 3 });
    expect(assessCounts(run(['error', 'error', 'pass', 'error', 'error']), { failureLimit: 0, consecutiveErrorLimit: 2 })).toBe('running');
  });

  it('the error streak is judged after failures, so it wins when both are over', () => {
    expect(assessCounts({ failed: 3, errors: 5, consecutiveErrors: 5 }, { failureLimit: 2, consecutiveErrorLimit: 4 })).toBe('errored');
  });

  it('defaults of 0: the first failure fails, the first error errors', () => {
    expect(assessCounts(run(['pass', 'fail']), { failureLimit: 0, consecutiveErrorLimit: 0 })).toBe('failed');
    expect(assessCounts(run(['pass', 'error']), { failureLimit: 0, consecutiveErrorLimit: 0 })).toBe('errored');
  });
});
