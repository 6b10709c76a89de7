// Must stay first: refuses to run on a kafkajs without our read_committed fix (see readCommittedGuard.ts).
import './readCommittedGuard';

export { createKafka } from './client';
export type { Kafka, KafkaClientOptions } from './client';
export { ensureTopics, ensureTopicsOrThrow, describeTopic, deleteTopics, listTopics } from './topicAdmin';
export type { DesiredTopic, TopicReport } from './topicAdmin';
export { connectFencedProducer, isFencingError } from './transactionalProducer';
export type { Producer, TransactionalProducerOptions } from './transactionalProducer';
export { brokerAnswers } from './probe';
export { partitionForKey } from './partitioning';
export { readToEnd } from './readToEnd';
export type { PartitionRange, RecordRead, ReadToEndResult } from './readToEnd';
export { TaskWriter } from './taskWriter';
export type { OutRecord, ConsumedOffset, WrittenOffsets } from './taskWriter';
export { PartitionedConsumer } from './partitionedConsumer';
export type {
  InputBatch,
  InputMessage,
  BatchControl,
  PartitionedConsumerOptions,
} from './partitionedConsumer';
export { CommandChannel } from './commandChannel';
export type { Reply, ChannelRecord } from './commandChannel';
export { TopicFollower } from './topicFollower';
export type { FollowerProgress, TopicFollowerOptions } from './topicFollower';
export { SinkConsumer } from './sinkConsumer';
export type { SinkBatch, SinkMessage, SinkAssignment, SinkConsumerOptions } from './sinkConsumer';
