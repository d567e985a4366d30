import type { Plan } from '../plan/types.js';
import { runRollback, runPromote } from '../run/phases.js';
import { runPlan, type RunDeps } from '../run/run-plan.js';
import type { RunResult } from '../run/types.js';
import { runWatch } from '../run/watch.js';
import type { SessionIO, SessionRequest } from './types.js';

export type Runner = (plan: Plan, deps: RunDeps) => Promise<RunResult>;

/**
 * How each command walks its plan. `beforeRollback` is watch's hook to take the lock at the
 * moment a trigger fires (a quiet watch never holds it).
 */
export function runnerFor(request: SessionRequest, io: SessionIO, beforeRollback: () => Promise<string | undefined>): Runner {
  switch (request.command) {
    case 'promote':
      return runPromote;
    case 'rollback':
      return runRollback;
    case 'watch': {
      // No duration: the triggers evaluated once, now, looking back over their `for:` windows
      // (what a controller's rollback hook asks).
      const watch = request.watch;
      if (!watch) return runPlan;
      return (plan, deps) =>
        runWatch(plan, deps, {
          durationMs: watch.durationMs,
          intervalMs: watch.intervalMs,
          rollback: watch.rollback,
          ...(io.onWatchRound ? { onRound: io.onWatchRound } : {}),
          beforeRollback,
        });
    }
    default:
      return runPlan;
  }
}
