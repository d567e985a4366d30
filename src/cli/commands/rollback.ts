import type { CommonOptions } from '../options.js';
import { runCommand } from '../run-command.js';

export function rollbackCommand(opts: CommonOptions): Promise<number> {
  return runCommand('rollback', opts);
}
