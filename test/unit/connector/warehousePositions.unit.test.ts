// Storing positions: a first position stored by another writer meanwhile is a position conflict (realign),
// not an error to retry. DuckDB runs in-process on a scratch file; PostgreSQL's error is checked by its code.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isUniqueViolation, OffsetConflictError, Warehouse } from '../../../src/connector';

test('unique violations of both drivers are recognised, other errors are not', () => {
  // node-postgres: a DatabaseError with the SQLSTATE in `code`.
  expect(isUniqueViolation(Object.assign(new Error('duplicate key value'), { code: '23505' }))).toBe(true);
  // @duckdb/node-api: a plain Error with the message only.
  expect(
    isUniqueViolation(
      new Error(
        'Constraint Error: Duplicate key "group_id: g, kafka_partition: 0" violates primary key constraint.',
      ),
    ),
  ).toBe(true);
  expect(isUniqueViolation(Object.assign(new Error('connection refused'), { code: 'ECONNREFUSED' }))).toBe(
    false,
  );
  expect(isUniqueViolation(Object.assign(new Error('deadlock'), { code: '40P01' }))).toBe(false);
  expect(isUniqueViolation(new Error('IO Error: could not open file'))).toBe(false);
  expect(isUniqueViolation('Duplicate key')).toBe(false);
});

test('DuckDB: two first positions for one partition -> OffsetConflictError, and nothing of the second is stored', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'wh-positions-'));
  const warehouse = await Warehouse.open({ kind: 'duckdb', file: join(dir, 'wh.duckdb') }, 'g');
  try {
    await warehouse.write([], [{ topic: 't', partition: 0, from: null, to: 5 }]);
    // A second writer that also read "no position" for t[0].
    await expect(
      warehouse.write([], [{ topic: 't', partition: 0, from: null, to: 3 }]),
    ).rejects.toBeInstanceOf(OffsetConflictError);
    expect(await warehouse.positions()).toEqual(new Map([['t:0', 5]]));
  } finally {
    await warehouse.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
