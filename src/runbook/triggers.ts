import type { NodeSpec } from './rules.js';
import { errorRatioQuery, latencyQuery, oomKillsQuery, placeholderQuery, probeSuccessQuery } from './promql.js';
import { comparisonIn, countWindowIn, healthyOf, holdDurationIn, metricNameOf, quantileIn } from './text.js';

/** A rollback condition as the runbook states it: `Error Rate > 5% for >5 minutes`. */
export interface TriggerLine {
  line: number;
  text: string;
  headings: string[];
}

export interface TriggerRule {
  name: string;
  /** The node for the condition, stating the HEALTHY side (a trigger fires when it fails for `for:`). */
  apply(text: string): NodeSpec | undefined;
}

/** A heading over rollback conditions: "Automatic Rollback Triggers", "Abort triggers". */
export const TRIGGER_HEADING = /\btriggers?\b/i;

const NO_THRESHOLD = 'the runbook gives no threshold: this one is a guess, state yours';

/** First match wins; the last rule takes anything, so every condition becomes a trigger. */
export const TRIGGER_RULES: TriggerRule[] = [
  {
    name: 'replication lag',
    apply: (text) => {
      if (!/replication lag/i.test(text)) return undefined;
      const c = comparisonIn(text);
      return { uses: 'postgres.replication', with: {}, expect: c ? healthyOf(c) : '<= 1s', system: 'postgres', ...(c ? {} : { note: NO_THRESHOLD }) };
    },
  },
  {
    name: 'error rate',
    apply: (text) => {
      if (!/\berror[- ]?(rate|ratio)s?\b|\b5xx\b/i.test(text) || /connection/i.test(text)) return undefined;
      const c = comparisonIn(text);
      return { uses: 'prometheus.query', with: { query: errorRatioQuery() }, expect: c ? healthyOf(c) : '<= 0.05', vars: ['job'], system: 'prometheus', note: c ? 'http_requests_total of ${vars.job}: adjust to your metric' : NO_THRESHOLD };
    },
  },
  {
    name: 'latency',
    apply: (text) => {
      if (!/\blatency\b|response time/i.test(text)) return undefined;
      const c = comparisonIn(text);
      const quantile = quantileIn(text);
      const expect = c ? healthyOf({ ...c, unit: c.unit ?? 's' }) : '<= 1s';
      return { uses: 'prometheus.query', with: { query: latencyQuery(quantile ?? 0.95), unit: 'seconds' }, expect, vars: ['job'], system: 'prometheus', ...(!c ? { note: NO_THRESHOLD } : quantile === undefined ? { note: 'the runbook names no percentile: p95 is a guess' } : {}) };
    },
  },
  {
    name: 'alerts firing',
    apply: (text) => {
      if (!/\balerts?\b/i.test(text)) return undefined;
      // Alerts labelled otherwise would stay unseen: the usual spellings of "the worst" are all matched.
      const severe = /\b(p0|p1|sev[- ]?[01]|critical|page)\b/i.test(text);
      return { uses: 'prometheus.alerts', with: severe ? { matchers: ['severity=~"P0|p0|P1|p1|critical|page"'] } : {}, system: 'prometheus', ...(severe ? { note: 'check the severity label your paging alerts carry' } : {}) };
    },
  },
  {
    name: 'health check failing',
    apply: (text) => /health[- ]?checks?|health endpoint|readiness|liveness|probes? fail/i.test(text)
      ? { uses: 'prometheus.query', with: { query: probeSuccessQuery() }, expect: '== 1', vars: ['probe_job'], system: 'prometheus', note: 'blackbox_exporter probes of ${vars.probe_job}' }
      : undefined,
  },
  {
    name: 'out of memory',
    apply: (text) => /out[- ]of[- ]memory|\bOOM/i.test(text)
      ? { uses: 'prometheus.query', with: { query: oomKillsQuery(countWindowIn(text) ?? '5m') }, expect: '== 0', system: 'prometheus', note: 'node_exporter on every node; no series is an error' }
      : undefined,
  },
  {
    name: 'unknown metric',
    apply: (text) => {
      const c = comparisonIn(text);
      const subject = (c ? text.slice(0, text.search(/(<=|>=|<|>|≤|≥|\b(at least|at most|no less than|no more than|more than|greater than|above|over|exceeds?|exceeding|higher than|less than|below|under|lower than))/i)) : text)
        .replace(/^(any|an?|the)\s+/i, '');
      const window = c && !c.unit && !c.percent ? countWindowIn(text) : undefined;
      const name = `${metricNameOf(subject)}${c?.percent ? '_ratio' : ''}`;
      return {
        uses: 'prometheus.query',
        with: { query: placeholderQuery(name, window) },
        expect: c ? healthyOf(c) : '== 0',
        system: 'prometheus',
        note: 'no metric for this in the runbook: replace the todo_ query (it has no data, so this trigger is an error, never quiet, until you do) or delete it if a person decides',
      };
    },
  },
];

/** The trigger node for a condition, with `for:` when the text holds it ("for >5 minutes"). */
export function mapTrigger(text: string): { spec: NodeSpec; rule: string } {
  const rule = TRIGGER_RULES.find((r) => r.apply(text)) ?? TRIGGER_RULES.at(-1)!;
  const spec = rule.apply(text)!;
  const hold = holdDurationIn(text);
  return { spec: hold ? { ...spec, for: hold } : spec, rule: rule.name };
}

const HEADING = /^(#{1,6})\s+(.*?)\s*#*\s*$/;
const FENCE = /^\s*(```|~~~)\s*([\w+-]*)/;
const CHECKBOX = /^\s*[-*+]\s+\[[ xX]\]/;
const NUMBERED = /^\s*\d+[.)]\s+/;
const BULLET = /^\s*[-*+]\s+(.*)$/;
const LABELLED = /^\s*(?:[-*+]\s+)?(?:\*\*|__)?(?:rollback |abort )?triggers?(?::(?:\*\*|__)?|(?:\*\*|__):)\s+(.+)$/i;
/** A fence holding conditions, not code: no language, or text. */
const PROSE_FENCE = /^(|text|txt|plain|plaintext)$/i;

/**
 * Rollback conditions that are not checklist items: the lines of a plain fenced block or the
 * bullets under a "... Triggers" heading, and a `Trigger: a, b, or c` line anywhere (one each).
 */
export function parseTriggerLines(markdown: string): TriggerLine[] {
  const found: TriggerLine[] = [];
  const stack: Array<{ level: number; text: string }> = [];
  let fence: { marker: string; prose: boolean } | undefined;
  let itemIndent: number | undefined;
  const add = (line: number, text: string) => {
    const clean = text.replace(/\*\*|__|`/g, '').replace(/\s+/g, ' ').trim().replace(/[.;]$/, '').trim();
    if (clean && !/:$/.test(clean)) found.push({ line, text: clean, headings: stack.map((h) => h.text) });
  };
  markdown.split(/\r?\n/).forEach((raw, index) => {
    const line = index + 1;
    const fenceMatch = FENCE.exec(raw);
    if (fenceMatch) {
      if (!fence) fence = { marker: fenceMatch[1]!, prose: PROSE_FENCE.test(fenceMatch[2]!) };
      else if (fenceMatch[1] === fence.marker) fence = undefined;
      return;
    }
    const inTriggerSection = TRIGGER_HEADING.test(stack.at(-1)?.text ?? '');
    if (fence) {
      if (fence.prose && inTriggerSection && raw.trim()) add(line, raw);
      return;
    }
    const heading = HEADING.exec(raw);
    if (heading) {
      const level = heading[1]!.length;
      while (stack.length && stack[stack.length - 1]!.level >= level) stack.pop();
      stack.push({ level, text: heading[2]!.replace(/\*\*|__/g, '') });
      itemIndent = undefined;
      return;
    }
    const indent = raw.length - raw.trimStart().length;
    if (CHECKBOX.test(raw) || NUMBERED.test(raw)) {
      itemIndent = indent;
      return;
    }
    const labelled = LABELLED.exec(raw);
    if (labelled) {
      for (const part of splitConditions(labelled[1]!)) add(line, part);
      return;
    }
    const bullet = BULLET.exec(raw);
    // A bullet under a checklist item explains that item (the item is the trigger).
    if (bullet && inTriggerSection && !(itemIndent !== undefined && indent > itemIndent)) add(line, bullet[1]!);
    if (!bullet && raw.trim() && indent === 0) itemIndent = undefined;
  });
  return found;
}

/** "Any P0 alert, failure of a health check, or corruption of data." → three conditions. */
function splitConditions(text: string): string[] {
  return text.replace(/[.]\s*$/, '').split(/\s*,\s*(?:or\s+|and\s+)?|\s+or\s+/i).map((s) => s.trim()).filter(Boolean);
}
