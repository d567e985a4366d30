import type { CommonOptions } from '../options.js';
import { runCommand } from '../run-command.js';

export function checkCommand(opts: CommonOptions): Promise<number> {
  return runCommand('check', opts);
}
