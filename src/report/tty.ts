import type { Plan } from '../plan/types.js';
import type { NodeResult, RunEvent } from '../run/types.js';
import { formatDuration, formatObserved } from './format.js';

/**
 * listr2's live task list. listr2 only renders: each task waits for the runner's events for
 * its node, so the schedule stays the runner's.
 */
export async function createTtyRenderer(plan: Plan, options: { color: boolean }) {
  const [{ Listr }, chalkModule] = await Promise.all([import('listr2'), import('chalk')]);
  // A terminal that reports no width (some pseudo-terminals) would wrap after every character.
  if (!process.stdout.columns) process.stdout.columns = 80;
  const chalk = new chalkModule.Chalk({ level: options.color ? 3 : 0 });
  const waiting = new Map<string, { started: Promise<void>; start(): void; ended: Promise<NodeResult>; end(result: NodeResult): void; output?: (text: string) => void }>();
  for (const node of plan.nodes) {
    let start!: () => void;
    let end!: (result: NodeResult) => void;
    const started = new Promise<void>((resolve) => (start = resolve));
    const ended = new Promise<NodeResult>((resolve) => (end = resolve));
    waiting.set(node.id, { started, start, ended, end });
  }
  const list = new Listr(
    plan.nodes.map((node) => ({
      title: chalk.dim(`${node.id}  ${node.title}  (waiting)`),
      task: async (_ctx: unknown, task: { title: string; output: string; skip(message?: string): void }) => {
        const entry = waiting.get(node.id)!;
        entry.output = (text) => (task.output = text);
        await Promise.race([entry.started, entry.ended]);
        task.title = `${node.id}  ${node.title}`;
        const result = await entry.ended;
        const took = chalk.dim(`(${formatDuration(result.durationMs)}${result.attempts > 1 ? `, ${result.attempts} attempts` : ''})`);
        const explain = [result.message, result.expected !== undefined && result.observed !== undefined && !result.message.startsWith('observed') ? `observed ${formatObserved(result.observed)}, expected ${result.expected}` : ''].filter(Boolean).join('\n');
        switch (result.status) {
          case 'pass':
          case 'quiet':
            task.title = `${node.id}  ${node.title} ${took}${result.status === 'quiet' ? chalk.green(' quiet') : ''}`;
            return;
          case 'skipped':
            task.skip(`${node.id}  skipped: ${result.message}`);
            return;
          case 'dry-run':
            task.skip(`${node.id}  dry run: ${result.message}`);
            return;
          case 'warn':
            task.title = `${chalk.yellow('⚠')} ${node.id}  ${node.title} ${took} ${chalk.yellow(`— ${explain.replace(/\n/g, '; ')}`)}`;
            return;
          default:
            throw new Error(`${chalk.bold(result.status.toUpperCase())} ${node.id}: ${explain} ${took}`);
        }
      },
    })),
    {
      concurrent: true,
      exitOnError: false,
      collectErrors: 'minimal',
      // Collapsed, a skip shows listr2's ↓ and its reason on one line; expanded it would take the ⚠ of warnings.
      rendererOptions: { collapseErrors: false, showErrorMessage: true, collapseSkips: true, showSkipMessage: true },
    },
  );
  const running = list.run().catch(() => undefined);
  return {
    onEvent(event: RunEvent): void {
      const entry = waiting.get(event.node.id);
      if (!entry) return;
      if (event.type === 'node-start') entry.start();
      else if (event.type === 'node-progress') entry.output?.(event.message);
      else entry.end(event.result);
    },
    async finish(): Promise<void> {
      await running;
    },
  };
}
