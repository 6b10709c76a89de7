// What the pool-history tests share: a connector environment with its own DuckDB file and group, and a
// wait until the warehouse holds a pool's events (it lags the journal by the connector's batch time).
import { join } from 'node:path';
import type { ApiCall } from './gatewayApi';
import { uniqueName } from './names';
import { scratchDir } from './serviceProcess';

/** A connector writing a fresh DuckDB file under its own group, in small, frequent batches. */
export function duckdbWarehouseEnv(): Record<string, string> {
  return {
    CAPACITY_WAREHOUSE_DUCKDB_FILE: join(scratchDir('history-warehouse'), 'warehouse.duckdb'),
    CAPACITY_WAREHOUSE_URL: '',
    WAREHOUSE_URL: '',
    CAPACITY_CONNECTOR_GROUP: uniqueName('history-conn'),
    CAPACITY_CONNECTOR_BATCH_MS: '50',
  };
}

/** GET /v1/pools/{poolId}/history until it has at least `count` events; returns that answer's body. */
export async function waitForHistory(
  call: ApiCall,
  poolId: string,
  count: number,
  timeoutMs = 30_000,
): Promise<Record<string, unknown> & { events: Array<Record<string, unknown>> }> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const answer = await call('GET', `/v1/pools/${poolId}/history`, '/v1/pools/{poolId}/history');
    const events = (answer.body.events ?? []) as Array<Record<string, unknown>>;
    if (answer.status === 200 && events.length >= count) return { ...answer.body, events };
    if (Date.now() > deadline)
      throw new Error(`history of ${poolId} never reached ${count} events: ${JSON.stringify(answer.body)}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}
