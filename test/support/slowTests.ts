// Integration and e2e tests wait on real brokers and processes; jest's 5 s default is for unit tests.
jest.setTimeout(Number(process.env.CAPACITY_TEST_TIMEOUT_MS ?? 240_000));
