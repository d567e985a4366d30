import { createInterface } from 'node:readline/promises';
import { err } from './output.js';

/** Reads one line from the terminal; questions are asked one at a time. */
let queue: Promise<unknown> = Promise.resolve();
export function askTerminal(question: string): Promise<string> {
  const asked = queue.then(async () => {
    const rl = createInterface({ input: process.stdin, output: process.stderr, terminal: true });
    try {
      return (await rl.question(question)).trim();
    } finally {
      rl.close();
    }
  });
  queue = asked.catch(() => undefined);
  return asked;
}

export function hasTerminal(): boolean {
  return Boolean(process.stdin.isTTY && process.stderr.isTTY);
}

/**
 * Mutating commands: `--yes`, or on a terminal the operator types the environment's name.
 * Without either nothing runs (exit 2).
 */
export async function confirmEnvironment(env: string, action: string, yes: boolean | undefined): Promise<boolean> {
  if (yes) return true;
  if (!hasTerminal()) {
    err(`refused: ${action} in ${env} needs confirmation — pass --yes (there is no terminal to ask on). Nothing was run.\n`);
    return false;
  }
  const answer = await askTerminal(`${action} in ${env}. Type the environment name (${env}) to continue: `);
  if (answer === env) return true;
  err(`refused: you typed "${answer}", not "${env}". Nothing was run.\n`);
  return false;
}
