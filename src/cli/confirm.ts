import { createInterface } from 'node:readline/promises';

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
export function terminalConfirmation(yes: boolean | undefined) {
  return async (env: string, action: string): Promise<{ ok: true } | { ok: false; reason: string }> => {
    if (yes) return { ok: true };
    if (!hasTerminal()) return { ok: false, reason: `${action} in ${env} needs confirmation — pass --yes (there is no terminal to ask on).` };
    const answer = await askTerminal(`${action} in ${env}. Type the environment name (${env}) to continue: `);
    if (answer === env) return { ok: true };
    return { ok: false, reason: `you typed "${answer}", not "${env}".` };
  };
}
