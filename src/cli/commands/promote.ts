import type { CommonOptions } from '../options.js';
import { runCommand } from '../run-command.js';

export function promoteCommand(opts: CommonOptions & { stage?: string; from?: string }): Promise<number> {
  return runCommand('promote', opts);
}
