// Bounded-state benchmark (ADR 12): weeks of delivery slots on a simulated clock — each day a new day of
// slots defined at the end of the booking horizon, tomorrow's slots booked (every 5th booking released),
// then the clock moves a day and the processor's punctuation expires what ended a day ago. Prints, per
// simulated day, what each store holds, with expiry on and, as the reference in the same run, expiry off
// (the service before issue 12: nothing ever leaves). In-process processor and read model on the local
// stack (npm run stack:up); bounded by --days; loopback only.
//   npm run bench:lifecycle -- --days 28
import { Command } from 'commander';
import { simulateSlots, type DayCounts } from '../test/support/slotSimulation';
import { writeResult } from './writeResult';

const DAY = 86_400_000;

const options = new Command()
  .option('--days <n>', 'simulated days', '28')
  .option('--zones <n>', 'zones', '3')
  .option('--slots <n>', 'two-hour slots per zone and day', '6')
  .option('--horizon <n>', 'days ahead that are defined', '7')
  .option('--bookings <n>', 'reservations per pool', '40')
  .option('--no-reference', 'skip the run with expiry off')
  .parse(process.argv)
  .opts<{
    days: string;
    zones: string;
    slots: string;
    horizon: string;
    bookings: string;
    reference: boolean;
  }>();

const shape = {
  zones: Number(options.zones),
  slotsPerDay: Number(options.slots),
  horizonDays: Number(options.horizon),
  reservationsPerPool: Number(options.bookings),
  releaseEvery: 5,
  days: Number(options.days),
  markerRetentionMs: 7 * DAY,
  partitions: 6,
};

const mb = (bytes: number) => (bytes / 1_048_576).toFixed(1);

function row(d: DayCounts): string {
  const cells = [
    d.day,
    d.definedPools,
    d.livePools,
    d.rocksdb.pools,
    d.rocksdb.reservations,
    d.rocksdb.markers,
    mb(d.rocksdbBytes),
    d.readModelPools,
    d.changelog.pools,
    d.changelog.reservations,
    d.journalEvents,
  ];
  return cells.map((c, i) => String(c).padStart(i === 0 ? 4 : 9)).join(' ');
}

const header = [
  'day',
  'defined',
  'live',
  'rdb pool',
  'rdb resv',
  'rdb mark',
  'rdb MB',
  'readmdl',
  'chg pool',
  'chg resv',
  'journal',
]
  .map((c, i) => c.padStart(i === 0 ? 4 : 9))
  .join(' ');

async function run(label: string, expireAfterMs: number | null): Promise<DayCounts[]> {
  console.log(`\n${label}`);
  console.log(header);
  const started = Date.now();
  const days = await simulateSlots({ ...shape, expireAfterMs }, (d) => console.log(row(d)));
  console.log(`(${((Date.now() - started) / 1000).toFixed(0)} s)`);
  return days;
}

async function main(): Promise<void> {
  const expiring = await run('expiry on (1 day after slot end), markers kept 7 days', DAY);
  const reference = options.reference ? await run('reference: expiry off', null) : null;
  const last = expiring.at(-1);
  const lastReference = reference?.at(-1);
  console.log(
    `\nafter ${shape.days} days: RocksDB ${last?.rocksdb.pools} pools / ${last?.rocksdb.reservations} reservations` +
      (lastReference
        ? ` vs ${lastReference.rocksdb.pools} / ${lastReference.rocksdb.reservations} without expiry`
        : ''),
  );
  console.log(
    'rdb = processor RocksDB (all partitions), readmdl = gateway read model, chg = keys compaction keeps ' +
      '(last record not a tombstone), journal = events so far; MB = state directory on disk',
  );
  const file = writeResult('lifecycle', { shape, expiring, reference });
  console.log(`wrote ${file}`);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
