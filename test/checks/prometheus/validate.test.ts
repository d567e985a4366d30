import { describe, expect, test } from 'vitest';
import query from '../../../checks/prometheus/query.js';
import system from '../../../checks/prometheus/system.js';
import { sparkline } from '../../../checks/prometheus/series.js';

function validateQuery(text: string) {
  return query.validate!(query.params.parse({ query: text }));
}

describe('PromQL is checked offline at `rollout validate`', () => {
  test('valid queries pass, from a ratio of sums to histogram_quantile', () => {
    expect(validateQuery('sum(rate(http_requests_total{code=~"5.."}[5m])) / sum(rate(http_requests_total[5m]))')).toEqual([]);
    expect(validateQuery('histogram_quantile(0.95, sum by (le) (rate(http_request_duration_seconds_bucket[5m])))')).toEqual([]);
    expect(validateQuery('increase(pg_failovers_total[1h]) > 2')).toEqual([]);
  });

  test('an unclosed parenthesis: the column where the query ends, and what is open', () => {
    expect(validateQuery('sum(rate(http_requests_total[5m])')).toEqual([
      { path: ['query'], message: 'PromQL syntax error at line 1, column 34: unexpected end of the query (an unclosed "(")', hint: expect.any(String) },
    ]);
  });

  test('a stray token is named with its column', () => {
    expect(validateQuery('up{job="api"} bogus')[0]?.message).toBe('PromQL syntax error at line 1, column 15: unexpected "bogus"');
  });

  test('a multi-line query (a YAML block scalar) reports the line inside the query', () => {
    expect(validateQuery('sum(\n  rate(errors_total[5m])\n) /\n  sum(rate(requests_total[5m]) ))')[0]?.message).toBe(
      'PromQL syntax error at line 4, column 33: unexpected ")" (an unmatched ")")',
    );
  });

  test('an unterminated label value', () => {
    expect(validateQuery('up{job="api}')[0]?.message).toMatch(/^PromQL syntax error at line 1, column \d+: .*\(an unterminated string\)$/);
  });

  test('an empty query is refused by the schema', () => {
    expect(query.params.safeParse({ query: '' }).error?.issues[0]?.message).toMatch(/query is empty/);
  });
});

describe('the prometheus system schema', () => {
  test('accepts url, headers, tls, timeout, alertmanagerUrl; refuses unknown keys and other schemes', () => {
    const settings = system.settings.parse({
      url: 'https://prom.example:9090',
      headers: { Authorization: 'Bearer x' },
      tls: { insecureSkipVerify: false, ca: './ca.pem' },
      timeout: '5s',
      alertmanagerUrl: 'http://am:9093',
    });
    expect(settings).toMatchObject({ timeout: 5000 });
    expect(system.settings.safeParse({ url: 'ftp://x' }).success).toBe(false);
    expect(system.settings.safeParse({ url: 'http://x', token: 'y' }).success).toBe(false);
  });
});

describe('sparkline', () => {
  test('scales to min/max, shows gaps as spaces and NaN as ×', () => {
    expect(sparkline([0, 1, 2, 3, 4, 5, 6, 7])).toBe('▁▂▃▄▅▆▇█');
    expect(sparkline([1, undefined, NaN, 1])).toBe('▄ ×▄');
  });

  test('a long window is folded to 60 characters and a one-sample spike stays visible', () => {
    const values = Array.from({ length: 600 }, (_, i) => (i === 301 ? 10 : 0));
    const line = sparkline(values);
    expect(line).toHaveLength(60);
    expect(line.replaceAll('▁', '')).toBe('█');
  });
});
