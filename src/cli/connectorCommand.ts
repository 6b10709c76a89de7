import type { Command } from 'commander';
import { Connector, describeTarget, loadConnectorConfig } from '../connector';
import { CapacityError, describeError } from '../errors';
import { createLogger } from '../observability';
import type { CliContext } from './main';
import { runUntilSignal } from './runUntilSignal';

export function registerConnectorCommand(program: Command, context: CliContext): void {
  program
    .command('connector')
    .description(
      'run the warehouse connector: events and pool states into DuckDB (default) or PostgreSQL, exactly once',
    )
    .action(async () => {
      const config = context.config();
      const connectorConfig = loadConnectorConfig();
      const logger = createLogger(config.logLevel);
      let connector: Connector | null = null;
      connector = new Connector(config, connectorConfig, logger, {
        // A failure after start-up (warehouse gone longer than the retry time): say why, exit non-zero.
        onFatal: (error) => {
          const code = error instanceof CapacityError ? `${error.code}: ` : '';
          process.stderr.write(`capacity: ${code}connector gave up: ${describeError(error)}\n`);
          void (connector as Connector)
            .stop()
            .catch(() => undefined)
            .finally(() => process.exit(1));
        },
      });
      context.out(`connector: writing to ${describeTarget(connectorConfig.warehouse)}`);
      await runUntilSignal('connector', connector, logger);
    });
}
