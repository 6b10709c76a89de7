import type { Command } from 'commander';
import { topicSpecs } from '../contracts';
import { stackUp } from '../devstack';
import { createKafka, ensureTopicsOrThrow } from '../kafka';
import { createLogger } from '../observability';
import type { CliContext } from './main';

const LOOPBACK = /^(127\.0\.0\.1|localhost|\[::1\]):\d+$/;

export function registerStartCommand(program: Command, context: CliContext): void {
  program
    .command('start')
    .description('run the service locally: stack up (unless brokers are external), create topics')
    .action(async () => {
      const config = context.config();
      if (config.brokers.every((b) => LOOPBACK.test(b))) {
        const result = await stackUp(config, context.out);
        if (result.started.length === 0) context.out('local stack already up');
      } else {
        context.out(`using external brokers ${config.brokers.join(', ')}`);
      }
      const kafka = createKafka(config, {
        clientId: 'capacity-start',
        logger: createLogger(config.logLevel),
      });
      const report = await ensureTopicsOrThrow(
        kafka,
        topicSpecs(config.topicPrefix, config.partitions),
        config.replicationFactor,
      );
      context.out(`topics: ${report.created.length} created, ${report.existing.length} already there`);
      context.out(`Kafka:    ${config.brokers.join(', ')}`);
      context.out(`Registry: ${config.registryUrl}`);
      context.out('Stop the local stack with: npm run stack:down');
    });
}
