// The gateway process: the order-service client for writes, the availability read model for reads, and
// the HTTP server. Several gateways can run at once (each reads every command result, see ADR 7).
import type { Server } from 'node:http';
import { Gauge, Registry, collectDefaultMetrics } from 'prom-client';
import { createAuthenticator } from '../auth';
import { CapacityClient } from '../client';
import type { Config } from '../config';
import { connectSerdes, topicNames } from '../contracts';
import { CapacityError } from '../errors';
import { createKafka } from '../kafka';
import type { Logger } from '../observability';
import { AvailabilityReadModel } from '../readmodel';
import { createGatewayApp } from './gatewayApp';
import { ConnectorHistory } from './historyClient';

export class Gateway {
  private client: CapacityClient | null = null;
  private readModel: AvailabilityReadModel | null = null;
  private server: Server | null = null;
  /** Ends the console's open event streams on stop, so the server can close without waiting for them. */
  private readonly stopping = new AbortController();
  private readonly log: Logger;
  readonly registry = new Registry();

  constructor(
    private readonly config: Config,
    logger: Logger,
  ) {
    this.log = logger.child({ component: 'gateway' });
  }

  /** Resolves once HTTP is listening; /readyz turns 200 when the read model has caught up. */
  async start(): Promise<{ port: number }> {
    const { config } = this;
    // First: a bad key file or a missing JWT setting fails the start before anything connects.
    const authenticator = createAuthenticator(config.auth);
    if (!authenticator)
      this.log.warn(
        'CAPACITY_AUTH=off: access control is OFF, anyone who can reach this gateway may call every endpoint',
      );
    collectDefaultMetrics({ register: this.registry, prefix: 'capacity_gateway_' });
    const topics = topicNames(config.topicPrefix);
    this.client = await CapacityClient.connect(config, this.log, `capacity-gateway-${process.pid}`);
    const serdes = await connectSerdes({ url: config.registryUrl, auth: config.registryAuth }, topics);
    const kafka = createKafka(config, { clientId: `capacity-gateway-rm-${process.pid}`, logger: this.log });
    const readModel = new AvailabilityReadModel(
      kafka,
      topics.poolState,
      serdes,
      this.log,
      `${config.applicationId}-gateway`,
    );
    this.readModel = readModel;
    if (!config.historyUrl)
      this.log.warn('CAPACITY_HISTORY_URL is not set: pool history and ?asOf= reads answer 503');
    new Gauge({
      name: 'capacity_gateway_read_model_lag_records',
      help: 'Pool-state records not yet applied',
      registers: [this.registry],
      collect() {
        this.set(readModel.status().lagRecords);
      },
    });
    new Gauge({
      name: 'capacity_gateway_read_model_pools',
      help: 'Pools in the read model',
      registers: [this.registry],
      collect() {
        this.set(readModel.status().pools);
      },
    });
    new Gauge({
      name: 'capacity_gateway_read_model_age_seconds',
      help: 'Seconds since the read model was last known current',
      registers: [this.registry],
      collect() {
        this.set((Date.now() - readModel.status().asOf) / 1000);
      },
    });
    await readModel.start();
    const app = createGatewayApp({
      client: this.client,
      readModel,
      timeoutMs: config.requestTimeoutMs,
      maxInFlight: config.gatewayMaxInFlight,
      logger: this.log,
      registry: this.registry,
      isHealthy: () => readModel.status().failed === null,
      authenticator,
      metricsRequireAuth: config.auth.metricsRequireAuth,
      console: { shutdown: this.stopping.signal },
      history: config.historyUrl
        ? new ConnectorHistory(config.historyUrl, config.requestTimeoutMs)
        : undefined,
    });
    const server = app.listen(config.httpPort, config.httpHost);
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('listening', () => resolve());
      server.once('error', (error: NodeJS.ErrnoException) =>
        reject(
          error.code === 'EADDRINUSE'
            ? new CapacityError(
                'PORT_IN_USE',
                `HTTP port ${config.httpPort} on ${config.httpHost} is already in use; set CAPACITY_HTTP_PORT to another port`,
                {
                  context: { host: config.httpHost, port: config.httpPort, setting: 'CAPACITY_HTTP_PORT' },
                  cause: error,
                },
              )
            : error,
        ),
      );
    });
    const address = server.address();
    const port = typeof address === 'object' && address ? address.port : config.httpPort;
    this.log.info({ url: `http://${config.httpHost}:${port}` }, 'gateway listening');
    return { port };
  }

  /** Stops accepting connections, lets requests in flight finish, then closes Kafka clients. */
  async stop(): Promise<void> {
    const server = this.server;
    this.stopping.abort();
    if (server) {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
        // A write waits for at most two timeouts: the acknowledgement, then the result.
        setTimeout(() => server.closeAllConnections(), 2 * this.config.requestTimeoutMs + 1000).unref();
      });
    }
    await this.readModel?.stop();
    await this.client?.close();
    this.log.info('gateway stopped');
  }
}
