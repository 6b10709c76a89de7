export { createKafka } from './client';
export type { Kafka, KafkaClientOptions } from './client';
export { ensureTopics, ensureTopicsOrThrow, describeTopic } from './topicAdmin';
export type { DesiredTopic, TopicReport } from './topicAdmin';
export { connectFencedProducer, isFencingError } from './transactionalProducer';
export type { Producer, TransactionalProducerOptions } from './transactionalProducer';
export { brokerAnswers } from './probe';
