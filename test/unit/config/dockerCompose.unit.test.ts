// docker-compose.yml describes the same stack as the config defaults; this keeps the two from drifting.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { loadConfig, settings } from '../../../src/config';

interface ComposeService {
  ports?: string[];
  environment?: Record<string, string>;
}
const compose = parse(readFileSync(join(__dirname, '../../../docker-compose.yml'), 'utf8')) as {
  services: Record<string, ComposeService>;
};
const defaults = loadConfig({});
const hostPorts = (service: string) =>
  (compose.services[service]?.ports ?? []).map((mapping) => Number(mapping.split(':')[0]));
const containerPorts = (service: string) =>
  (compose.services[service]?.ports ?? []).map((mapping) => Number(mapping.split(':')[1]));

test('the stack services exist', () => {
  expect(Object.keys(compose.services).sort()).toEqual(['capacity', 'kafka', 'postgres', 'registry']);
});

test('host ports match the config defaults', () => {
  expect(hostPorts('kafka')).toContain(Number(defaults.brokers[0]?.split(':')[1]));
  expect(hostPorts('registry')).toContain(Number(new URL(defaults.registryUrl).port));
  expect(hostPorts('capacity')).toEqual(expect.arrayContaining([defaults.httpPort, defaults.metricsPort]));
});

test("the service's environment uses only real setting names, and its ports are the ones it listens on", () => {
  const environment = compose.services.capacity?.environment ?? {};
  const known = new Set(settings.map((s) => s.env));
  for (const name of Object.keys(environment)) expect(known).toContain(name);
  const config = loadConfig(environment);
  expect(containerPorts('capacity')).toEqual(expect.arrayContaining([config.httpPort, config.metricsPort]));
  expect(config.registryUrl).toMatch(/\/apis\/ccompat\/v7$/);
});
