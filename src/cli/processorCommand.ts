import type { Command } from 'commander';
import { createLogger } from '../observability';
import { Processor } from '../processor';
import type { CliContext } from './main';
import { runUntilSignal } from './runUntilSignal';

export function registerProcessorCommand(program: Command, context: CliContext): void {
  program
    .command('processor')
    .description('run a processor: joins the group on the command topic, one exactly-once task per partition')
    .action(async () => {
      const config = context.config();
      const logger = createLogger(config.logLevel);
      await runUntilSignal('processor', new Processor(config, logger), logger);
    });
}
