// The only module a check may import from the core.
export * from './types.js';
export { defineCheck, defineSystem } from './define-check.js';
export { duration, parseDuration, formatDuration } from './duration.js';
export { runProcess, killAllProcessGroups, type ProcessOptions, type ProcessResult } from './process.js';
export { findMatches, isGlob, type FileMatch } from './glob.js';
export { tlsSettings, loadCa, maskUrl, type TlsSettings } from './tls.js';
