// Transitional: src/cli/metrics-output.ts still imports the sinks from here. When its call site
// imports src/session/metrics-sink.ts, delete this file (report/ must not import session/).
export { renderMetricsText } from './metrics-text.js';
