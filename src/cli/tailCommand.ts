import { randomBytes } from 'node:crypto';
import type { Command } from 'commander';
import { RecordDecoder } from '../connector';
import { createRegistry, topicNames } from '../contracts';
import { describeError } from '../errors';
import { createKafka, readToEnd, SinkConsumer, topicEndOffsets } from '../kafka';
import { createLogger } from '../observability';
import type { CliContext } from './main';

interface TailOptions {
  readonly follow: boolean;
  readonly max?: string;
}

function jsonReplacer(_key: string, value: unknown): unknown {
  if (value && typeof value === 'object' && (value as { type?: string }).type === 'Buffer')
    return Buffer.from((value as { data: number[] }).data).toString('base64');
  return value;
}

/** `events` -> `<prefix>.events`; a name with a dot is taken as a full topic name. */
function topicOf(name: string, prefix: string): string {
  if (name.includes('.')) return name;
  const names = topicNames(prefix) as unknown as Record<string, string>;
  return Object.values(names).find((t) => t === `${prefix}.${name}`) ?? `${prefix}.${name}`;
}

export function registerTailCommand(program: Command, context: CliContext): void {
  program
    .command('tail <topic>')
    .description(
      'print the records of a topic from the beginning as JSON lines, values decoded with their writer schema ' +
        '(topic: full name, or events, pool-state, reservations, ... for the configured prefix)',
    )
    .option('--no-follow', 'stop at the end offsets measured at start instead of waiting for more')
    .option('--max <n>', 'stop after n records')
    .action(async (name: string, options: TailOptions) => {
      const config = context.config();
      const logger = createLogger(config.logLevel);
      const topic = topicOf(name, config.topicPrefix);
      const max = options.max === undefined ? Infinity : Number(options.max);
      const decoder = new RecordDecoder(
        createRegistry({ url: config.registryUrl, auth: config.registryAuth }),
      );
      const kafka = createKafka(config, { clientId: `capacity-tail-${process.pid}`, logger });
      let printed = 0;
      let done: () => void = () => undefined;
      const finished = new Promise<void>((resolve) => (done = resolve));
      const print = async (record: {
        partition: number;
        offset: number;
        key: Buffer | null;
        value: Buffer | null;
      }) => {
        if (printed >= max) return;
        const line: Record<string, unknown> = {
          topic,
          partition: record.partition,
          offset: record.offset,
          key: record.key?.toString() ?? null,
        };
        if (record.value === null) line.value = null;
        else {
          try {
            const decoded = await decoder.decode(record.value);
            line.schemaId = decoded.schemaId;
            line.value = decoded.value;
          } catch (error) {
            line.error = describeError(error);
            line.valueBase64 = record.value.toString('base64');
          }
        }
        context.out(JSON.stringify(line, jsonReplacer));
        printed += 1;
        if (printed >= max) done();
      };

      const partitions = [...(await topicEndOffsets(kafka, topic)).keys()].map((partition) => ({
        partition,
      }));
      if (!options.follow) {
        await readToEnd(
          kafka,
          `capacity-tail-${randomBytes(4).toString('hex')}`,
          partitions.map((p) => ({ topic, partition: p.partition, fromOffset: null })),
          async (records) => {
            for (const r of records) await print(r);
          },
        );
        return;
      }
      const consumer = new SinkConsumer(kafka, {
        groupId: `capacity-tail-${randomBytes(6).toString('hex')}`,
        topics: [topic],
        sessionTimeoutMs: config.sessionTimeoutMs,
        onAssignment: () => undefined,
        onBatch: async (batch) => {
          for (const m of batch.messages) await print({ partition: batch.partition, ...m });
        },
        onCrash: (error, willRestart) => {
          if (!willRestart) {
            process.stderr.write(`capacity: tail: ${describeError(error)}\n`);
            done();
          }
        },
      });
      const stop = () => done();
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
      await consumer.start();
      await finished;
      await consumer.stop();
    });
}
