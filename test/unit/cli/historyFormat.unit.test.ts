// `capacity history`'s output: the events table, the pool at an instant, the warehouse line; where the key
// and the gateway come from.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { apiKeyFor, detailsText, formatAsOf, formatHistory, gatewayUrl, table } from '../../../src/cli';
import { loadConfig } from '../../../src/config';
import type { HistoryResponse, PoolAsOfResponse } from '../../../src/gateway';

const warehouse: HistoryResponse['warehouse'] = {
  kind: 'duckdb',
  partition: 4,
  loadedOffset: 120,
  lagRecords: 0,
  loadedAt: '2030-05-01T06:00:05.000Z',
};

test('the events table: one line per event, columns aligned, times of slots in ISO, command id last', () => {
  const lines = formatHistory({
    poolId: 'p-1',
    complete: true,
    warehouse,
    events: [
      {
        version: 1,
        type: 'PoolDefined',
        occurredAt: '2030-05-01T06:00:00.000Z',
        commandId: 'c-1',
        partition: 4,
        offset: 7,
        details: {
          zone: 'north',
          slotStart: Date.parse('2030-05-01T08:00:00Z'),
          slotEnd: Date.parse('2030-05-01T10:00:00Z'),
          capacity: 10,
        },
      },
      {
        version: 2,
        type: 'CapacityReserved',
        occurredAt: '2030-05-01T06:00:01.000Z',
        commandId: 'c-2',
        partition: 4,
        offset: 9,
        details: { reservationId: 'r1', units: 2, requestId: 'k' },
      },
      {
        version: 3,
        type: 'PoolExpired',
        occurredAt: '2030-05-01T12:00:00.000Z',
        commandId: 'c-3',
        partition: 4,
        offset: 11,
        details: { note: null },
      },
    ],
  });
  expect(lines).toEqual([
    'pool p-1: 3 events',
    'VERSION  TIME                      TYPE              DETAILS                                                                                     COMMAND',
    '1        2030-05-01T06:00:00.000Z  PoolDefined       zone=north slotStart=2030-05-01T08:00:00.000Z slotEnd=2030-05-01T10:00:00.000Z capacity=10  c-1',
    '2        2030-05-01T06:00:01.000Z  CapacityReserved  reservationId=r1 units=2 requestId=k                                                        c-2',
    '3        2030-05-01T12:00:00.000Z  PoolExpired                                                                                                   c-3',
    'warehouse (duckdb): journal partition 4 loaded up to offset 120, up to date, last batch 2030-05-01T06:00:05.000Z',
  ]);
  expect(
    formatHistory({
      poolId: 'p',
      complete: false,
      warehouse: { ...warehouse, lagRecords: 7, loadedAt: null },
      events: [],
    }),
  ).toEqual([
    'pool p: 0 events (the newest; older ones exist: --limit)',
    'VERSION  TIME  TYPE  DETAILS  COMMAND',
    'warehouse (duckdb): journal partition 4 loaded up to offset 120, 7 records behind the journal',
  ]);
});

test('the pool at an instant, with skipped events as notes', () => {
  const answer: PoolAsOfResponse = {
    poolId: 'p-1',
    zone: 'north',
    slotStart: '2030-05-01T08:00:00.000Z',
    slotEnd: '2030-05-01T10:00:00.000Z',
    capacity: 10,
    reserved: 2,
    available: 8,
    status: 'open',
    version: 2,
    updatedAt: '2030-05-01T06:00:01.000Z',
    reservations: 1,
    asOf: '2030-05-01T06:00:01.500Z',
    eventsApplied: 2,
    skipped: [{ version: 3, type: 'PoolExpired', reason: 'not applied: unknown' }],
    warehouse: { ...warehouse, loadedOffset: null, lagRecords: null },
  };
  expect(formatAsOf(answer)).toEqual([
    'pool:       p-1',
    'as of:      2030-05-01T06:00:01.500Z',
    'zone:       north',
    'slot:       2030-05-01T08:00:00.000Z – 2030-05-01T10:00:00.000Z',
    'status:     open',
    'capacity:   10',
    'reserved:   2 (1 reservation)',
    'available:  8',
    'version:    2 (since 2030-05-01T06:00:01.000Z)',
    'note: version 3 (PoolExpired) not applied: unknown',
    'warehouse (duckdb): journal partition 4 nothing loaded yet, lag unknown, last batch 2030-05-01T06:00:05.000Z',
  ]);
});

test('details and tables', () => {
  expect(detailsText({ a: 1, b: null, bookableUntil: 0, c: true })).toBe(
    'a=1 bookableUntil=1970-01-01T00:00:00.000Z c=true',
  );
  expect(
    table([
      ['a', 'bb', 'c'],
      ['ccc', 'd', ''],
    ]),
  ).toEqual(['a    bb  c', 'ccc  d']);
});

test('the key: CAPACITY_API_KEY, else the local planner key, else none with a hint; the gateway URL', () => {
  const stateDir = mkdtempSync(join(tmpdir(), 'history-keys-'));
  expect(apiKeyFor(loadConfig({ CAPACITY_API_KEY: 'cap_x', CAPACITY_STATE_DIR: stateDir }))).toEqual({
    key: 'cap_x',
    source: 'CAPACITY_API_KEY',
  });
  expect(apiKeyFor(loadConfig({ CAPACITY_STATE_DIR: stateDir }))).toMatchObject({
    key: null,
    source: expect.stringMatching(/^no key \(set CAPACITY_API_KEY, or run capacity start/),
  });
  writeFileSync(
    join(stateDir, 'local-api-keys.json'),
    JSON.stringify([
      { name: 'local-orders', role: 'orders', key: 'cap_o' },
      { name: 'local-planner', role: 'planner', key: 'cap_p' },
    ]),
  );
  expect(apiKeyFor(loadConfig({ CAPACITY_STATE_DIR: stateDir }))).toMatchObject({ key: 'cap_p' });
  expect(gatewayUrl(loadConfig({ CAPACITY_HTTP_HOST: '0.0.0.0', CAPACITY_HTTP_PORT: '8088' }))).toBe(
    'http://127.0.0.1:8088',
  );
  expect(gatewayUrl(loadConfig({}), 'http://gw:1/')).toBe('http://gw:1');
});
