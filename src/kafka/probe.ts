import { KafkaJS, Producer } from '@confluentinc/kafka-javascript';
import type { Config } from '../config';

/**
 * True when a broker at `address` answers metadata requests: a real, ready Kafka broker, not merely an
 * open port. Fails fast (no retries). A broker that requires SASL answers only with `sasl` (a refused
 * login is "not answering" too).
 */
export async function brokerAnswers(
  address: string,
  timeoutMs = 2000,
  sasl: Config['sasl'] = null,
): Promise<boolean> {
  const login = sasl
    ? {
        'security.protocol': 'sasl_plaintext' as const,
        'sasl.mechanisms': sasl.mechanism.toUpperCase(),
        'sasl.username': sasl.username,
        'sasl.password': sasl.password,
      }
    : {};
  const admin = new KafkaJS.Kafka({
    'client.id': 'capacity-probe',
    'socket.connection.setup.timeout.ms': Math.max(1000, Math.min(timeoutMs, 3000)),
    log_level: 0,
    ...login,
    kafkaJS: { brokers: [address], logLevel: KafkaJS.logLevel.NOTHING },
  }).admin();
  try {
    await admin.connect();
    await admin.listTopics({ timeout: timeoutMs });
    return true;
  } catch {
    return false;
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}

/**
 * The ids of the brokers that the broker at `address` lists in its metadata (registered and not fenced, as
 * far as it knows), or null when it does not answer. A broker of a cluster answers before it has heard of
 * every other one; creating a topic with replication factor 3 needs all three listed.
 */
export async function brokersSeenBy(
  address: string,
  timeoutMs = 2000,
  sasl: Config['sasl'] = null,
): Promise<number[] | null> {
  const producer = new Producer({
    'bootstrap.servers': address,
    'client.id': 'capacity-probe',
    'socket.connection.setup.timeout.ms': Math.max(1000, Math.min(timeoutMs, 3000)),
    log_level: 0,
    ...(sasl
      ? {
          'security.protocol': 'sasl_plaintext' as const,
          'sasl.mechanisms': sasl.mechanism.toUpperCase(),
          'sasl.username': sasl.username,
          'sasl.password': sasl.password,
        }
      : {}),
  });
  let connected = false;
  try {
    await new Promise<void>((resolve, reject) =>
      producer.connect({ timeout: timeoutMs }, (err) => (err ? reject(err) : resolve())),
    );
    connected = true;
    const metadata = await new Promise<{ brokers: { id: number }[] }>((resolve, reject) =>
      producer.getMetadata({ timeout: timeoutMs }, (err, data) => (err ? reject(err) : resolve(data))),
    );
    return metadata.brokers.map((b) => b.id).sort((a, b) => a - b);
  } catch {
    return null;
  } finally {
    // A producer that never connected has nothing to close (and refuses to flush).
    if (connected) await new Promise<void>((resolve) => producer.disconnect(() => resolve()));
  }
}
