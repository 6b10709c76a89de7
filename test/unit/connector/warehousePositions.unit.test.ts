// Storing positions: a first position stored by another writer meanwhile is a position conflict (realign),
// not an error to retry. DuckDB runs in-process on a scratch file; PostgreSQL's error is checked by its code.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  isUniqueViolation,
  OffsetConflictError,
  RowsAlreadyStoredError,
  undecodableRow,
  Warehouse,
} from '../../../src/connector';

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
  // @duckdb/node-api's appender (the bulk path for rows).
  expect(
    isUniqueViolation(
      new Error(
        'Failed to append: Duplicate key "kafka_topic: t, kafka_partition: 2, kafka_offset: 0" violates primary key constraint.',
      ),
    ),
  ).toBe(true);
  expect(
    isUniqueViolation(new Error('Failed to append: Current transaction is aborted (please ROLLBACK)')),
  ).toBe(false);
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

test('DuckDB: rows already stored under positions that said otherwise -> RowsAlreadyStoredError, not retried', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'wh-positions-'));
  const warehouse = await Warehouse.open({ kind: 'duckdb', file: join(dir, 'wh.duckdb') }, 'g');
  const rows = (offsets: number[]) =>
    offsets.map((offset) =>
      undecodableRow('capacity_events', { topic: 't', partition: 2, offset }, Buffer.from('x'), 'test', 'p'),
    );
  try {
    await warehouse.write(rows([0, 1]), [{ topic: 't', partition: 2, from: null, to: 2 }]);
    // Rows 0 and 1 taken again, with a position that moves on correctly (a record taken twice).
    const again = warehouse.write(rows([1, 2]), [{ topic: 't', partition: 2, from: 2, to: 3 }]);
    await expect(again).rejects.toBeInstanceOf(RowsAlreadyStoredError);
    await expect(again).rejects.toMatchObject({
      retriable: false,
      message: expect.stringMatching(/t\[2\] 1\.\.2/),
    });
    expect(await warehouse.positions()).toEqual(new Map([['t:2', 2]])); // rolled back
  } finally {
    await warehouse.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
