import type { RunResult } from '../run/types.js';
import { err } from './output.js';
import { redactor } from './output.js';

export interface MetricsOptions {
  metricsFile?: string;
  pushgateway?: string;
}

/**
 * Results as metrics, after the run (also on failure or Ctrl-C). A metrics sink that fails
 * is reported and does not change the verdict: the gate's answer is the run's, not the
 * gateway's. Dry runs are not pushed — they would replace the real run's group.
 */
export async function exportMetrics(result: RunResult, options: MetricsOptions): Promise<void> {
  if (!options.metricsFile && !options.pushgateway) return;
  const metrics = await import('../report/metrics.js');
  if (options.metricsFile) {
    try {
      await metrics.writeMetricsFile(result, options.metricsFile);
    } catch (error) {
      err(`metrics: could not write ${options.metricsFile}: ${redactor.redact((error as Error).message)}\n`);
    }
  }
  if (options.pushgateway && result.dryRun) err('metrics: a dry run is not pushed to the Pushgateway (it would replace the real run)\n');
  else if (options.pushgateway) {
    try {
      await metrics.pushMetrics(result, options.pushgateway);
    } catch (error) {
      err(`metrics: push to the Pushgateway failed: ${redactor.redact((error as Error).message)}\n`);
    }
  }
}
