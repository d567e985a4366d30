import { beforeAll, describe, expect, it } from 'vitest';
import query from '../../../checks/postgres/query.js';
import { createDatabase, runKind, sql } from '../../helpers/postgres/index.js';

let url: string;

beforeAll(async () => {
  ({ url } = await createDatabase('query'));
  await sql(url, `CREATE TABLE orders (id int PRIMARY KEY, status text, amount numeric);
                  INSERT INTO orders VALUES (1, 'paid', 10.5), (2, 'paid', 20), (3, 'refunded', 7)`);
});

describe('postgres.query', () => {
  it('observes the single value a statement returns; numerals stay comparable', async () => {
    expect(await runKind(query, { sql: 'SELECT count(*) FROM orders' }, { url })).toMatchObject({ observed: '3', outputs: { value: '3', rows: 1 } });
    const version = await runKind(query, { sql: 'SHOW server_version_num' }, { url });
    expect(Number(version.observed)).toBeGreaterThanOrEqual(150000);
  });

  it('passes $1 parameters, never string-built SQL', async () => {
    const result = await runKind(query, { sql: 'SELECT sum(amount) FROM orders WHERE status = $1', params: ['paid'] }, { url });
    expect(result.observed).toBe('30.5');
  });

  it('no row is no data (null), a NULL value too', async () => {
    expect((await runKind(query, { sql: "SELECT id FROM orders WHERE status = 'lost'" }, { url })).observed).toBeNull();
  });

  it('observe: rows counts offenders, 0 included', async () => {
    expect((await runKind(query, { sql: "SELECT id FROM orders WHERE status = 'refunded'" }, { url, observe: 'rows' })).observed).toBe(1);
    expect((await runKind(query, { sql: "SELECT id FROM orders WHERE status = 'lost'" }, { url, observe: 'rows' })).observed).toBe(0);
  });

  it('observe: column:NAME gives one labelled element per row, rows truncated in the evidence', async () => {
    const result = await runKind(query, { sql: 'SELECT status, amount FROM orders ORDER BY id', maxRows: 2 }, { url, observe: 'column:amount' });
    expect(result.observed).toEqual([
      { name: 'paid', value: '10.5' },
      { name: 'paid', value: '20' },
      { name: 'refunded', value: '7' },
    ]);
    expect(result.details.rows).toHaveLength(2);
    expect(result.details.notes).toEqual(['3 rows, first 2 shown']);
  });

  it('an interval becomes seconds, so "< 5m" can be judged', async () => {
    const result = await runKind(query, { sql: "SELECT interval '2 minutes 30 seconds'" }, { url });
    expect(result).toMatchObject({ observed: 150, unit: 'seconds' });
  });

  it('several rows with observe: value is an error that says what to do', async () => {
    const result = await runKind(query, { sql: 'SELECT id FROM orders' }, { url });
    expect(result.error).toMatch(/at most one row.*returned 3.*observe: rows or column:id/);
  });

  it('a write is refused and does not happen, even smuggled after a COMMIT', async () => {
    const insert = await runKind(query, { sql: "INSERT INTO orders VALUES (9, 'x', 1)" }, { url });
    expect(insert.error).toMatch(/postgres.query runs read-only.*read-only transaction/);
    const smuggled = await runKind(query, { sql: "COMMIT; INSERT INTO orders VALUES (10, 'x', 1)" }, { url });
    expect(smuggled.error).toBeDefined();
    const { rows } = await sql(url, 'SELECT count(*)::int AS n FROM orders');
    expect(rows[0].n).toBe(3);
  });

  it('a statement longer than the node timeout is an error and is cancelled on the server', async () => {
    const startedAt = Date.now();
    const result = await runKind(query, { sql: 'SELECT pg_sleep(30)' }, { url, timeoutMs: 1000 });
    expect(Date.now() - startedAt).toBeLessThan(5000);
    expect(result.error).toMatch(/timed out|cancelled/);
    const { rows } = await sql(url, "SELECT count(*)::int AS n FROM pg_stat_activity WHERE query = 'SELECT pg_sleep(30)' AND state = 'active'");
    expect(rows[0].n).toBe(0);
  });

  it('a SQL error names the server with the password masked', async () => {
    const result = await runKind(query, { sql: 'SELECT * FROM missing_table' }, { url });
    expect(result.error).toMatch(/relation "missing_table" does not exist \(postgres:\/\/rollout_test:\*\*\*@127\.0\.0\.1:\d+\/query_/);
  });
});
