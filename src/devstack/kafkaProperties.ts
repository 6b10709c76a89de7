// The local brokers' server.properties and log4j.properties, rendered from the stack's nodes (pure).
import type { KafkaNode } from './kafkaCluster';
import type { StackSaslCredentials } from './kafkaSasl';

/**
 * The listeners. Plain: one PLAINTEXT listener for clients and the broker itself. SASL: the same listener
 * as SASL_PLAINTEXT with SCRAM-SHA-512, and it stays the inter-broker listener, so the broker logs in to
 * itself (the transaction coordinator writes its commit markers through it) with the same SCRAM user;
 * a separate unauthenticated inter-broker port would be a way around the login for any local client, and
 * with no ACLs one identity is enough. The controller listener stays PLAINTEXT on loopback: SCRAM cannot
 * guard it (the credentials live in the metadata log that the controller itself serves), SASL/PLAIN with
 * a static user could, but only the broker uses that port; an admin tool pointed at it with
 * --bootstrap-controller would get in without a login, which is acceptable for a local stack only.
 */
function listenerProperties(node: KafkaNode, sasl: StackSaslCredentials | null): string[] {
  const { host, port, controllerPort } = node;
  const client = sasl ? 'SASL_PLAINTEXT' : 'PLAINTEXT';
  const lines = [
    `listeners=${client}://${host}:${port},CONTROLLER://${host}:${controllerPort}`,
    `advertised.listeners=${client}://${host}:${port}`,
    'controller.listener.names=CONTROLLER',
    `inter.broker.listener.name=${client}`,
    `listener.security.protocol.map=${client}:${client},CONTROLLER:PLAINTEXT`,
  ];
  if (!sasl) return lines;
  return [
    ...lines,
    'sasl.enabled.mechanisms=SCRAM-SHA-512',
    'sasl.mechanism.inter.broker.protocol=SCRAM-SHA-512',
    'listener.name.sasl_plaintext.scram-sha-512.sasl.jaas.config=' +
      'org.apache.kafka.common.security.scram.ScramLoginModule required ' +
      `username="${sasl.username}" password="${sasl.password}";`,
  ];
}

/**
 * Replication of the internal topics and defaults for topics created without a factor. A single node cannot
 * replicate. Three nodes: every committed offset, transaction state and record is on a follower before it
 * is acknowledged (min ISR 2), and one broker may be down while writes go on (ADR 13).
 */
function replicationProperties(brokers: number): string[] {
  if (brokers === 1) {
    return [
      // Single node: internal topics cannot be replicated; fewer partitions start faster.
      'offsets.topic.replication.factor=1',
      'offsets.topic.num.partitions=10',
      'transaction.state.log.replication.factor=1',
      'transaction.state.log.min.isr=1',
      'transaction.state.log.num.partitions=10',
    ];
  }
  return [
    // Fewer partitions than the default 50 start faster; replicated on every node, writable with one down.
    'offsets.topic.replication.factor=3',
    'offsets.topic.num.partitions=10',
    'transaction.state.log.replication.factor=3',
    'transaction.state.log.min.isr=2',
    'transaction.state.log.num.partitions=10',
    'default.replication.factor=3',
    'min.insync.replicas=2',
    // A killed broker stays in every ISR until the controller fences it, and acks=all writes to every
    // partition it replicates wait until then: fence after 3 s without a heartbeat (default 9 s;
    // heartbeats every 1 s, default 2 s), well inside the command channel's 5 s send timeout and the
    // processors' 5 s transaction timeout (ADR 13).
    'broker.session.timeout.ms=3000',
    'broker.heartbeat.interval.ms=1000',
  ];
}

/**
 * server.properties of node `nodeId` of `nodes` (one node, or a cluster whose every node is broker and
 * controller, ADR 13). The single node's text is what the stack always rendered.
 */
export function kafkaProperties(
  nodes: readonly KafkaNode[],
  nodeId: number,
  sasl: StackSaslCredentials | null,
): string {
  const node = nodes.find((n) => n.nodeId === nodeId);
  if (!node) throw new Error(`no node ${nodeId} among ${nodes.map((n) => n.nodeId).join(', ')}`);
  const voters = nodes.map((n) => `${n.nodeId}@${n.host}:${n.controllerPort}`).join(',');
  return [
    'process.roles=broker,controller',
    `node.id=${node.nodeId}`,
    `controller.quorum.voters=${voters}`,
    ...listenerProperties(node, sasl),
    `log.dirs=${node.dataDir}`,
    'num.partitions=1',
    ...replicationProperties(nodes.length),
    'group.initial.rebalance.delay.ms=0',
    // Processors detect a crashed instance within seconds (docs/adr/0008-crash-detection.md): the
    // broker's default floor of 6 s would refuse their session timeout.
    'group.min.session.timeout.ms=1000',
    // A crashed processor's open transaction is aborted soon after its timeout, not up to a minute later.
    'transaction.abort.timed.out.transaction.cleanup.interval.ms=1000',
    // Topics are created explicitly (`capacity topics create`), never by a typo in a producer.
    'auto.create.topics.enable=false',
    'log.cleaner.backoff.ms=5000',
    'num.network.threads=2',
    'num.io.threads=4',
    '',
  ].join('\n');
}

export function kafkaLog4j(sasl: boolean): string {
  return [
    'log4j.rootLogger=INFO, stdout',
    'log4j.appender.stdout=org.apache.log4j.ConsoleAppender',
    'log4j.appender.stdout.layout=org.apache.log4j.PatternLayout',
    'log4j.appender.stdout.layout.ConversionPattern=[%d] %p %m (%c)%n',
    'log4j.logger.org.apache.kafka=WARN',
    'log4j.logger.kafka.log.LogCleaner=WARN',
    // A refused login is logged at INFO ("Failed authentication with /127.0.0.1 (…)"): with SASL on, that is
    // the line to look for when a client cannot connect.
    ...(sasl ? ['log4j.logger.org.apache.kafka.common.network.Selector=INFO'] : []),
    '',
  ].join('\n');
}
