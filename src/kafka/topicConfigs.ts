// Topic configs as the broker reports them (DescribeConfigs). librdkafka's JavaScript client has no
// DescribeConfigs, so this one admin call goes through @platformatic/kafka (docs/adr/0005-kafka-client.md).
// That package is ESM-only and this project is CommonJS (and jest's module loader cannot require ESM), so
// the call runs in a short-lived child Node process; credentials travel on its stdin, never in argv.
import { execFile } from 'node:child_process';
import { pathToFileURL } from 'node:url';
import type { Kafka } from './client';

const SCRIPT = `
const input = JSON.parse(await new Promise((resolve) => {
  let text = '';
  process.stdin.on('data', (chunk) => (text += chunk)).on('end', () => resolve(text));
}));
const { Admin } = await import(input.module);
const admin = new Admin(input.options);
try {
  const described = await admin.describeConfigs({
    resources: input.names.map((resourceName) => ({ resourceType: 2, resourceName })),
  });
  const result = described.map((d) => [d.resourceName, Object.fromEntries(d.configs.map((c) => [c.name, c.value]))]);
  process.stdout.write(JSON.stringify(result));
} finally {
  await admin.close();
}
`;

export async function describeTopicConfigs(
  kafka: Kafka,
  names: readonly string[],
): Promise<Map<string, Record<string, string>>> {
  if (names.length === 0) return new Map();
  const { cluster } = kafka;
  const input = {
    module: pathToFileURL(require.resolve('@platformatic/kafka')).href,
    names,
    options: {
      clientId: 'capacity-describe-configs',
      bootstrapBrokers: cluster.brokers,
      timeout: kafka.requestTimeoutMs,
      retries: 3,
      ...(cluster.tls ? { tls: cluster.tls.caFile ? { ca: cluster.tls.caFileContents } : {} } : {}),
      ...(cluster.sasl
        ? {
            sasl: {
              mechanism: cluster.sasl.mechanism.toUpperCase(),
              username: cluster.sasl.username,
              password: cluster.sasl.password,
            },
          }
        : {}),
    },
  };
  const stdout = await new Promise<string>((resolve, reject) => {
    const child = execFile(
      process.execPath,
      ['--input-type=module', '--no-warnings', '-e', SCRIPT],
      { timeout: kafka.requestTimeoutMs + 10_000, maxBuffer: 16 * 1024 * 1024 },
      (error, out, err) =>
        error ? reject(new Error(`describe topic configs: ${err || error.message}`)) : resolve(out),
    );
    child.stdin?.end(JSON.stringify(input));
  });
  return new Map(JSON.parse(stdout) as Array<[string, Record<string, string>]>);
}
