/**
 * The run session: one run of (playbook, env, command) from request to recorded outcome.
 * The CLI and the HTTP edge are thin callers; nothing here prints or exits.
 */
import { executeSession } from './execute.js';
import { openSession } from './open.js';
import type { SessionIO, SessionOutcome, SessionRequest } from './types.js';

export async function runSession(request: SessionRequest, io: SessionIO): Promise<SessionOutcome> {
  const opened = await openSession(request);
  if (!opened.ok) return { ran: false, exitCode: 2, problems: opened.problems };
  return executeSession(request, opened.value, io);
}

export { checkEnvironmentResolves, openPlaybook, openSession, describeDiagnostics } from './open.js';
export { parseInstant } from './instant.js';
export { renderDocument } from './sinks.js';
export type * from './types.js';
