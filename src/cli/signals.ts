import { killAllProcessGroups } from '../sdk/process.js';
import { err } from './output.js';

/**
 * Ctrl-C, SIGTERM and SIGHUP (an ssh session dropping) stop the run the same way: the first
 * aborts every running check (children get SIGTERM, then SIGKILL) and the evidence is still
 * written; a second kills every child at once.
 */
export async function withInterrupts<T>(run: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const controller = new AbortController();
  let interrupts = 0;
  const onSignal = (signal: NodeJS.Signals) => {
    interrupts++;
    if (interrupts === 1) {
      err(`\n${signal}: stopping every running check (children get SIGTERM, then SIGKILL); evidence will be written.\n`);
      controller.abort();
    } else {
      killAllProcessGroups('SIGKILL');
    }
  };
  const signals: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];
  for (const s of signals) process.on(s, onSignal);
  try {
    return await run(controller.signal);
  } finally {
    for (const s of signals) process.off(s, onSignal);
  }
}
