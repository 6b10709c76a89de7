// Several processes registering brand-new subjects at the same moment (processors starting together on
// a fresh deployment) must all succeed with the same schema ids.
import { connectSerdes, topicNames } from '../../../src/contracts';
import { testConfig } from '../../support/infra';

test('concurrent first registrations of the same subjects all succeed with the same ids', async () => {
  for (let round = 0; round < 3; round++) {
    const config = testConfig();
    const topics = topicNames(config.topicPrefix);
    const all = await Promise.all(
      Array.from({ length: 8 }, () => connectSerdes({ url: config.registryUrl }, topics)),
    );
    expect(new Set(all.map((serdes) => serdes.command.id)).size).toBe(1);
    expect(new Set(all.map((serdes) => serdes.result.id)).size).toBe(1);
  }
});
