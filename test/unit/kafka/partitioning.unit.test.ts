// Our partitioner must agree with the Java client's (and librdkafka's murmur2_random), or the processor
// would refuse correctly keyed commands as misrouted. Vectors from Kafka's UtilsTest.testMurmur2.
import { murmur2, partitionForKey } from '../../../src/kafka';

test.each([
  ['21', -973932308],
  ['foobar', -790332482],
  ['a-little-bit-long-string', -985981536],
  ['a-little-bit-longer-string', -1486304829],
  ['lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8', -58897971],
  ['abc', 479470107],
])('murmur2(%j) is %i, as in the Java client', (key, hash) => {
  expect(murmur2(Buffer.from(key))).toBe(hash);
});

test('partitionForKey makes the hash positive and takes it modulo the partition count', () => {
  // -973932308 & 0x7fffffff = 1173551340; % 12 = 0, % 7 = 1173551340 % 7
  expect(partitionForKey('21', 12)).toBe(1173551340 % 12);
  expect(partitionForKey('21', 7)).toBe(1173551340 % 7);
  expect(partitionForKey('foobar', 12)).toBe((-790332482 & 0x7fffffff) % 12);
});
