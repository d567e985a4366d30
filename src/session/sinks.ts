import { writeFileSync } from 'node:fs';
import { reporters } from '../report/reporters.js';
import { appendStepSummary } from './ci-sink.js';
import type { RunResult } from '../run/types.js';
import type { DocumentReporter, SinkRequest } from './types.js';

/** The report documents, by name: each a pure rendering of the (already redacted) result. */
export function renderDocument(reporter: DocumentReporter, result: RunResult, evidence: string | undefined): string {
  return reporters[reporter](result, evidence ? { evidence } : {});
}

/**
 * `record`: the report the pipeline asked for could not be written (the verdict was not
 * recorded where the caller looks); `metrics`: reported, the verdict unchanged — the gate's
 * answer is the run's, not the gateway's.
 */
export interface SinkErrors {
  record: string[];
  metrics: string[];
}

/**
 * After the verdict: the report file and the metrics. A sink that fails is reported and the
 * others still run; the caller decides what a failure does to the exit code.
 */
export async function writeSinks(result: RunResult, evidence: string | undefined, sinks: SinkRequest, redact: (text: string) => string): Promise<SinkErrors> {
  const errors: SinkErrors = { record: [], metrics: [] };
  if (sinks.reportFile) {
    try {
      writeFileSync(sinks.reportFile.path, renderDocument(sinks.reportFile.reporter, result, evidence));
    } catch (error) {
      errors.record.push(`report: could not write ${sinks.reportFile.path}: ${redact((error as Error).message)}`);
    }
  }
  // Like metrics: reported, the verdict unchanged.
  const summaryError = appendStepSummary(result, evidence);
  if (summaryError) errors.metrics.push(redact(summaryError));
  if (sinks.metricsFile || sinks.pushgateway) {
    const metrics = await import('./metrics-sink.js');
    if (sinks.metricsFile) {
      try {
        await metrics.writeMetricsFile(result, sinks.metricsFile);
      } catch (error) {
        errors.metrics.push(`metrics: could not write ${sinks.metricsFile}: ${redact((error as Error).message)}`);
      }
    }
    // Dry runs are not pushed: they would replace the real run's group in the gateway.
    if (sinks.pushgateway && result.dryRun) errors.metrics.push('metrics: a dry run is not pushed to the Pushgateway (it would replace the real run)');
    else if (sinks.pushgateway) {
      try {
        await metrics.pushMetrics(result, sinks.pushgateway);
      } catch (error) {
        errors.metrics.push(`metrics: push to the Pushgateway failed: ${redact((error as Error).message)}`);
      }
    }
  }
  return errors;
}
