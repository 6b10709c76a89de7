import type { Command } from 'commander';
import { Gateway } from '../gateway';
import { createLogger } from '../observability';
import type { CliContext } from './main';
import { runUntilSignal } from './runUntilSignal';

export function registerGatewayCommand(program: Command, context: CliContext): void {
  program
    .command('gateway')
    .description('run the HTTP gateway: writes become commands, reads come from the availability read model')
    .action(async () => {
      const config = context.config();
      const logger = createLogger(config.logLevel);
      const gateway = new Gateway(config, logger);
      await runUntilSignal(
        'gateway',
        { start: async () => void (await gateway.start()), stop: () => gateway.stop() },
        logger,
      );
    });
}
