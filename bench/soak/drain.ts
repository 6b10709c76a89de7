// After the load: waits (bounded) until every partition's ready task has consumed the command topic to its
// end, so that every command the gateways wrote has its result and events before the verdict reads them.
import { topicNames } from '../../src/contracts';
import { createKafka, topicEndOffsets } from '../../src/kafka';
import { createLogger } from '../../src/observability';
import { partitionOwners, type SoakCluster } from './cluster';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function waitDrained(cluster: SoakCluster, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  const kafka = createKafka(cluster.config, { clientId: 'soak-drain', logger: createLogger('error') });
  const commands = topicNames(cluster.config.topicPrefix).commands;
  while (Date.now() < deadline) {
    const ends = await topicEndOffsets(kafka, commands);
    const owners = await partitionOwners(cluster);
    const done = [...ends].every(([partition, end]) => {
      const task = owners.get(partition);
      return task?.state === 'ready' && (task.nextOffset ?? 0) >= end;
    });
    if (done) return true;
    await sleep(500);
  }
  return false;
}
