import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** The connector's metrics, one registry per process (`capacity_connector_*`). */
export class ConnectorMetrics {
  readonly registry = new Registry();
  readonly rows = new Counter({
    name: 'capacity_connector_rows_written_total',
    help: 'Rows committed to the warehouse, by table',
    labelNames: ['table'] as const,
    registers: [this.registry],
  });
  readonly batchSeconds = new Histogram({
    name: 'capacity_connector_batch_seconds',
    help: 'Time to write one batch (rows and positions, one transaction)',
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [this.registry],
  });
  readonly batchRows = new Histogram({
    name: 'capacity_connector_batch_rows',
    help: 'Rows per warehouse transaction',
    buckets: [1, 10, 50, 100, 250, 500, 1000, 2500, 5000, 10000],
    registers: [this.registry],
  });
  readonly lag = new Gauge({
    name: 'capacity_connector_lag',
    help: 'Records not yet in the warehouse, per topic and partition (high watermark - next offset)',
    labelNames: ['topic', 'partition'] as const,
    registers: [this.registry],
  });
  readonly paused = new Gauge({
    name: 'capacity_connector_paused',
    help: '1 while fetching is paused because the warehouse is behind (back-pressure)',
    registers: [this.registry],
  });
  readonly pauses = new Counter({
    name: 'capacity_connector_pauses_total',
    help: 'Times fetching was paused for back-pressure',
    registers: [this.registry],
  });
  readonly retries = new Counter({
    name: 'capacity_connector_warehouse_retries_total',
    help: 'Failed warehouse operations that were retried',
    registers: [this.registry],
  });
  readonly unusual = new Counter({
    name: 'capacity_connector_unusual_records_total',
    help: 'Records stored as JSON because they had no columns of their own, by reason',
    labelNames: ['reason'] as const,
    registers: [this.registry],
  });

  readonly tombstones = new Counter({
    name: 'capacity_connector_tombstones_total',
    help: 'Pool-state tombstones (expired pools) recorded as rows with tombstone = TRUE',
    registers: [this.registry],
  });

  constructor() {
    collectDefaultMetrics({ register: this.registry, prefix: 'capacity_connector_' });
  }
}
