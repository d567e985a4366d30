import type { RunResult } from '../run/types.js';
import { renderJson } from './json.js';
import { renderJunit } from './junit.js';
import { renderMarkdownSummary } from './markdown.js';
import { renderSummary } from './plain.js';

export interface ReportOptions {
  /** Where the run's evidence was written, when it was. */
  evidence?: string;
}

/** A reporter turns one finished run into one document; it reads nothing and writes nothing. */
export type Reporter = (result: RunResult, options?: ReportOptions) => string;

export type ReporterName = 'json' | 'junit' | 'plain' | 'markdown';

/** Every document reporter, by the name `--reporter` takes. The live task list (tty) is not one: it renders events. */
export const reporters: Record<ReporterName, Reporter> = {
  json: (result, options = {}) => renderJson(result, options),
  junit: (result, options = {}) => renderJunit(result, options.evidence),
  plain: (result, options = {}) => renderSummary(result, options.evidence),
  markdown: (result, options = {}) => renderMarkdownSummary(result, options.evidence),
};

export function isReporterName(name: string): name is ReporterName {
  return Object.hasOwn(reporters, name);
}
