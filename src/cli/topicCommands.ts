import type { Command } from 'commander';
import { topicSpecs } from '../contracts';
import { createKafka, ensureTopics } from '../kafka';
import { createLogger } from '../observability';
import type { CliContext } from './main';

export function registerTopicCommands(program: Command, context: CliContext): void {
  const topics = program.command('topics').description('Kafka topics of the service');
  topics
    .command('create')
    .description(
      'create missing topics; report drift (partitions, cleanup policy) of existing ones and exit 1',
    )
    .action(async () => {
      const config = context.config();
      const kafka = createKafka(config, {
        clientId: 'capacity-topics',
        logger: createLogger(config.logLevel),
        retries: 2,
      });
      const report = await ensureTopics(
        kafka,
        topicSpecs(config.topicPrefix, config.partitions, config.replicationFactor),
        config.replicationFactor,
      );
      for (const name of report.created) context.out(`created  ${name}`);
      for (const name of report.existing) context.out(`exists   ${name}`);
      for (const line of report.drift) context.out(`DRIFT    ${line}`);
      if (report.drift.length > 0) {
        context.out(
          'topics differ from the spec; the service will not start until they match (see README: topics)',
        );
        process.exitCode = 1;
      }
    });
}
