import { appendFileSync } from 'node:fs';
import { renderMarkdownSummary } from '../report/markdown.js';
import type { RunResult } from '../run/types.js';

type Env = Record<string, string | undefined>;

export function isGithubActions(env: Env = process.env): boolean {
  return env.GITHUB_ACTIONS === 'true';
}

/**
 * In GitHub Actions, the run's summary (verdict, why it failed, where the evidence is) is
 * appended to the job's page. Returns why it could not be, else undefined; outside GitHub it does nothing.
 */
export function appendStepSummary(result: RunResult, evidence: string | undefined, env: Env = process.env): string | undefined {
  if (!isGithubActions(env) || !env.GITHUB_STEP_SUMMARY) return undefined;
  try {
    appendFileSync(env.GITHUB_STEP_SUMMARY, `${renderMarkdownSummary(result, evidence)}\n`);
    return undefined;
  } catch (error) {
    return `summary: could not append to $GITHUB_STEP_SUMMARY (${env.GITHUB_STEP_SUMMARY}): ${(error as Error).message}`;
  }
}

/**
 * `::error file=…,line=…,col=…::message` for each problem that names its place
 * (`rollout.yaml:12:5: path: message`), so GitHub marks the line in the diff; a problem
 * with no place still gets an `::error::`.
 */
export function githubAnnotations(problems: string[]): string[] {
  return problems.map((problem) => {
    const [first = '', ...rest] = problem.split('\n');
    const place = /^(.+?):(\d+):(\d+): ([\s\S]*)$/.exec(first);
    const message = escapeData([place ? place[4]! : first, ...rest.map((r) => r.trim())].join('\n'));
    return place ? `::error file=${escapeProperty(place[1]!.replace(/^\.\//, ''))},line=${place[2]},col=${place[3]}::${message}` : `::error::${message}`;
  });
}

// The escaping GitHub's workflow commands read back.
function escapeData(text: string): string {
  return text.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}

function escapeProperty(text: string): string {
  return escapeData(text).replace(/:/g, '%3A').replace(/,/g, '%2C');
}
