import type { Command } from 'commander';
import { describeError } from '../errors';
import { createLogger } from '../observability';
import { EXIT_RESTART_NEEDED } from './exitCodes';
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
      const processor: Processor = new Processor(config, logger, {
        // The consumer is dead for good: stop cleanly and exit so the supervisor starts a new process.
        onFatal: (error) => {
          process.stderr.write(
            `capacity: processor must restart, its group membership is lost for good: ${describeError(error)}\n`,
          );
          // Bounded: a dead consumer's disconnect must not keep the process from exiting.
          const stopped = processor.stop().catch(() => undefined);
          void Promise.race([stopped, new Promise((r) => setTimeout(r, 15_000))]).finally(() =>
            process.exit(EXIT_RESTART_NEEDED),
          );
        },
      });
      await runUntilSignal('processor', processor, logger);
    });
}
