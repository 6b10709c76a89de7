export { createKafka } from './client';
export type { Kafka, KafkaClientOptions } from './client';
export {
  ensureTopics,
  ensureTopicsOrThrow,
  describeTopic,
  deleteTopics,
  listTopics,
  topicEndOffsets,
  topicOffsets,
  OffsetReader,
} from './topicAdmin';
export type { DesiredTopic, TopicReport } from './topicAdmin';
export { brokerAnswers, brokersSeenBy } from './probe';
export { murmur2, partitionForKey } from './partitioning';
export { readToEnd } from './readToEnd';
export type { PartitionRange, RecordRead, ReadToEndResult } from './readToEnd';
export { isFatalClientError, partitionKey, RdConsumer, recordOf } from './rdConsumer';
export type { Message } from './rdConsumer';
export { GroupMember } from './groupMember';
export type { GroupMemberOptions, RebalanceEvent } from './groupMember';
export { GroupDescriber, fenceTransactionalId } from './groupMembers';
export type { GroupMemberView } from './groupMembers';
export { TransactionalWriter, TransactionError } from './transactionalWriter';
export type { OutRecord, ConsumedOffset, WrittenOffsets, TransactionFailure } from './transactionalWriter';
export { CommandChannel } from './commandChannel';
export type { Reply, ChannelRecord, CommandChannelOptions } from './commandChannel';
export { TopicFollower } from './topicFollower';
export type { FollowerProgress, TopicFollowerOptions } from './topicFollower';
export { SinkConsumer } from './sinkConsumer';
export type { SinkBatch, SinkMessage, SinkAssignment, SinkConsumerOptions } from './sinkConsumer';
