import type { Command } from '../plan/types.js';
import type { NodeResult, Verdict } from './types.js';

export const EXIT = { pass: 0, fail: 1, invalid: 2, error: 3, fired: 4, interrupted: 130 } as const;

/** The run's verdict and exit code, from its blocking nodes. */
export function decideVerdict(nodes: NodeResult[], command: Command, interrupted: boolean): { verdict: Verdict; exitCode: number } {
  if (interrupted) return { verdict: 'interrupted', exitCode: EXIT.interrupted };
  const blocking = nodes.filter((n) => n.severity === 'blocker');
  const fired = blocking.some((n) => n.status === 'fired');
  const failed = blocking.some((n) => n.status === 'fail');
  const errored = blocking.some((n) => n.status === 'error');
  // Too little data to decide is not a pass: exit 3, as an error is, unless something failed.
  const inconclusive = blocking.some((n) => n.status === 'inconclusive');
  if (command === 'watch') {
    if (failed) return { verdict: 'fail', exitCode: EXIT.fail };
    if (fired) return { verdict: 'fired', exitCode: EXIT.fired };
    if (errored) return { verdict: 'error', exitCode: EXIT.error };
    if (inconclusive) return { verdict: 'inconclusive', exitCode: EXIT.error };
    return { verdict: 'pass', exitCode: EXIT.pass };
  }
  // Outside `watch`, triggers are reported; a fired trigger is not a failed gate.
  if (failed) return { verdict: 'fail', exitCode: EXIT.fail };
  if (errored) return { verdict: 'error', exitCode: EXIT.error };
  if (inconclusive) return { verdict: 'inconclusive', exitCode: EXIT.error };
  return { verdict: 'pass', exitCode: EXIT.pass };
}
