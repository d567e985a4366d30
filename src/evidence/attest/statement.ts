import { normalize } from 'node:path';
import type { NodeStatus } from '../../run/types.js';

export const STATEMENT_TYPE = 'https://in-toto.io/Statement/v1';
export const TEST_RESULT_PREDICATE = 'https://in-toto.io/attestation/test-result/v0.1';

export interface ResourceDescriptor {
  name: string;
  digest: { sha256: string };
  uri?: string;
}

export interface TestResultStatement {
  _type: typeof STATEMENT_TYPE;
  subject: ResourceDescriptor[];
  predicateType: typeof TEST_RESULT_PREDICATE;
  predicate: {
    result: 'PASSED' | 'WARNED' | 'FAILED';
    configuration: ResourceDescriptor[];
    url: string;
    passedTests: string[];
    warnedTests: string[];
    failedTests: string[];
  };
}

/** What a statement is made of: the run as its evidence file records it. */
export interface AttestedRun {
  verdict: string;
  nodes: Array<{ id: string; status: NodeStatus | string }>;
  playbook: { file: string; sha256: string };
}

const PASSED = new Set(['pass', 'quiet']);
const FAILED = new Set(['fail', 'error', 'fired', 'inconclusive']);

/**
 * An in-toto Statement v1 with the test-result predicate: the subjects are the evidence file
 * and the playbook it ran; a node that was skipped or only dry-run is in no list (it was not
 * tested). PASSED needs the run's verdict to be pass and no node to warn; any other verdict is
 * FAILED, so a consumer that reads only `result` fails closed.
 */
export function buildStatement(run: AttestedRun, evidence: { name: string; sha256: string; url: string }): TestResultStatement {
  const playbook: ResourceDescriptor = { name: playbookSubjectName(run.playbook.file), digest: { sha256: run.playbook.sha256 } };
  const ids = (keep: (status: string) => boolean) => run.nodes.filter((n) => keep(n.status)).map((n) => n.id);
  const passedTests = ids((s) => PASSED.has(s));
  const warnedTests = ids((s) => s === 'warn');
  const failedTests = ids((s) => FAILED.has(s));
  const result = run.verdict !== 'pass' ? 'FAILED' : warnedTests.length ? 'WARNED' : 'PASSED';
  return {
    _type: STATEMENT_TYPE,
    subject: [{ name: evidence.name, digest: { sha256: evidence.sha256 } }, playbook],
    predicateType: TEST_RESULT_PREDICATE,
    predicate: { result, configuration: [playbook], url: evidence.url, passedTests, warnedTests, failedTests },
  };
}

/** The playbook as given on the command line, without the `./` that changes nothing. */
export function playbookSubjectName(file: string): string {
  return normalize(file);
}
