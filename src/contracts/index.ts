export { topicNames, topicSpecs } from './topics';
export type { TopicNames, TopicSpec, CleanupPolicy } from './topics';
