// Where the local stack may listen: loopback or an address of one of this machine's own interfaces (a bridge
// that network namespaces reach the brokers through), for every broker and the registry; anything else is
// refused with the setting's name. Ports of brokers, controllers and the registry never collide.
import { loadConfig } from '../../../src/config';
import { localAddresses, stackEndpoints } from '../../../src/devstack';

const interfaces = {
  lo: [
    { address: '127.0.0.1', family: 'IPv4' },
    { address: '::1', family: 'IPv6' },
  ],
  eth0: [{ address: '192.0.2.2', family: 'IPv4' }],
  'br-soak': [{ address: '10.77.0.1', family: 'IPv4' }],
} as unknown as Parameters<typeof localAddresses>[0];
const local = localAddresses(interfaces);
const config = (env: Record<string, string>) =>
  loadConfig({
    CAPACITY_BROKERS: '127.0.0.1:19092',
    CAPACITY_STACK_CONTROLLER_PORT: '19192',
    CAPACITY_REGISTRY_URL: 'http://127.0.0.1:18081/apis/ccompat/v7',
    ...env,
  });

test('local addresses are loopback names plus every interface address', () => {
  expect([...local].sort()).toEqual(['10.77.0.1', '127.0.0.1', '192.0.2.2', '::1', 'localhost'].sort());
  expect(localAddresses({})).toEqual(new Set(['127.0.0.1', 'localhost', '::1']));
});

test('loopback as before: localhost means 127.0.0.1, [::1] is accepted', () => {
  const e = stackEndpoints(config({ CAPACITY_BROKERS: 'localhost:19092' }), 1, local);
  expect(e).toMatchObject({ kafkaHost: '127.0.0.1', kafkaPort: 19092, controllerPort: 19192 });
  expect(e.brokers).toEqual([{ nodeId: 1, host: '127.0.0.1', port: 19092, controllerPort: 19192 }]);
  expect(stackEndpoints(config({ CAPACITY_BROKERS: '[::1]:19092' }), 1, local).kafkaHost).toBe('[::1]');
});

test('an address of a local interface (a bridge) is accepted for brokers and registry', () => {
  const e = stackEndpoints(
    config({
      CAPACITY_BROKERS: '10.77.0.1:19092',
      CAPACITY_REGISTRY_URL: 'http://10.77.0.1:18081/apis/ccompat/v7',
    }),
    3,
    local,
  );
  expect(e.brokers.map((b) => `${b.host}:${b.port}/${b.controllerPort}`)).toEqual([
    '10.77.0.1:19092/19192',
    '10.77.0.1:19093/19193',
    '10.77.0.1:19094/19194',
  ]);
  expect(e).toMatchObject({ registryHost: '10.77.0.1', registryPort: 18081 });
});

test('any other address is refused, naming the setting and the entry', () => {
  expect(() => stackEndpoints(config({ CAPACITY_BROKERS: '10.0.0.9:19092' }), 1, local)).toThrow(
    /^CAPACITY_BROKERS: the local stack listens only on this machine's own addresses \(loopback or an address of a local interface: .*10\.77\.0\.1.*\), but broker 1 is 10\.0\.0\.9:19092/,
  );
  expect(() => stackEndpoints(config({ CAPACITY_BROKERS: '0.0.0.0:19092' }), 1, local)).toThrow(
    /CAPACITY_BROKERS: .* but broker 1 is 0\.0\.0\.0:19092/,
  );
  // Only the third of three listed brokers is foreign: that entry is named.
  const listed = '127.0.0.1:19092,127.0.0.1:19093,10.0.0.9:19094';
  expect(() => stackEndpoints(config({ CAPACITY_BROKERS: listed }), 3, local)).toThrow(
    /broker 3 is 10\.0\.0\.9:19094/,
  );
  // A single broker uses the first entry only, as before.
  expect(stackEndpoints(config({ CAPACITY_BROKERS: listed }), 1, local).brokers).toHaveLength(1);
  expect(() =>
    stackEndpoints(
      config({ CAPACITY_REGISTRY_URL: 'http://registry.example:18081/apis/ccompat/v7' }),
      1,
      local,
    ),
  ).toThrow(/^CAPACITY_REGISTRY_URL: .* but the registry host is registry\.example/);
});

test('colliding ports are refused; for three brokers the message says where controllers could go', () => {
  expect(() => stackEndpoints(config({ CAPACITY_STACK_CONTROLLER_PORT: '19092' }), 1, local)).toThrow(
    /must give every port of the local stack its own number/,
  );
  expect(() =>
    stackEndpoints(
      config({ CAPACITY_BROKERS: '127.0.0.1:9092', CAPACITY_STACK_CONTROLLER_PORT: '9093' }),
      3,
      local,
    ),
  ).toThrow(
    'brokers use 9092, 9093, 9094, controllers 9093, 9094, 9095 and the registry 18081; e.g. ' +
      'CAPACITY_STACK_CONTROLLER_PORT=9095 puts the controllers right after the brokers',
  );
});

test("the machine's own interfaces are read when none are given", () => {
  expect(localAddresses().has('127.0.0.1')).toBe(true);
  expect(stackEndpoints(config({})).kafkaPort).toBe(19092);
});
