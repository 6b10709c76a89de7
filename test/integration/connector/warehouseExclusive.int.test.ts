// One warehouse connection, one operation at a time. The connector reads the stored positions (realign)
// while a batch write may be running; a transaction belongs to the connection, so the read used to run
// inside the batch's open transaction and saw positions that were never committed. Here the read starts
// from inside the transaction, every time: the batch's own row starts it when its cells are read. A failed
// batch also reports its own error: DuckDB's appender, closed with the failed rows still in it, appended
// them again and threw "Failed to append: Current transaction is aborted (please ROLLBACK)" instead.
import { undecodableRow, type Cell, type Warehouse, type WarehouseRow } from '../../../src/connector';
import { uniqueName } from '../../support/names';
import { testWarehouse, type SinkKind } from './connectorTestKit';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => undefined);
});

/** Cells that call `onRead` when the warehouse reads a value (inside the batch's transaction). */
class TrippedCells extends Map<string, Cell> {
  constructor(
    cells: ReadonlyMap<string, Cell>,
    private readonly onRead: () => void,
  ) {
    super(cells);
  }

  override get(key: string): Cell | undefined {
    this.onRead();
    return super.get(key);
  }
}

function rowsAt(offsets: readonly number[], onRead: () => void): WarehouseRow[] {
  return offsets.map((offset) => {
    const row = undecodableRow(
      'capacity_events',
      { topic: 't', partition: 0, offset },
      Buffer.from('x'),
      'test',
      'p',
    );
    return { ...row, cells: new TrippedCells(row.cells, onRead) };
  });
}

async function openWarehouse(kind: SinkKind): Promise<Warehouse> {
  const target = await testWarehouse(kind, uniqueName('wh-group'));
  cleanups.push(() => target.drop());
  const warehouse = await target.open();
  cleanups.push(() => warehouse.close());
  return warehouse;
}

test.each<SinkKind>(['duckdb', 'postgres'])(
  '%s: a read started inside a batch waits for its end and sees only committed positions',
  async (kind) => {
    const warehouse = await openWarehouse(kind);
    for (let round = 0; round < 20; round++) {
      // A batch that fails (offset 0 twice: primary key) and rolls back; the read must see none of it.
      const first = round * 10;
      let read: Promise<Map<string, number>> | null = null;
      const failing = warehouse.write(
        rowsAt([first, first + 1, first], () => (read ??= warehouse.positions())),
        [{ topic: 't', partition: 0, from: round === 0 ? null : first, to: first + 2 }],
      );
      await expect(failing).rejects.toThrow(/duplicate key|unique/i);
      expect(read).not.toBeNull();
      const committed = round === 0 ? new Map() : new Map([['t:0', first]]);
      await expect(read).resolves.toEqual(committed);

      // The same batch without the duplicate commits; a read started inside it sees it once committed.
      read = null;
      await warehouse.write(
        rowsAt(
          Array.from({ length: 10 }, (_, i) => first + i),
          () => (read ??= warehouse.positions()),
        ),
        [{ topic: 't', partition: 0, from: round === 0 ? null : first, to: first + 10 }],
      );
      await expect(read).resolves.toEqual(new Map([['t:0', first + 10]]));
    }
    const count = await warehouse.query('SELECT COUNT(*) AS n FROM capacity_events');
    expect(Number(count[0]?.n)).toBe(200);
  },
);
