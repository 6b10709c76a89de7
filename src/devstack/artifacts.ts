// Fetches the pinned broker and registry distributions from Maven Central with `mvn` into the stack's
// cache folder. Later runs find them there and download nothing.
import { spawn } from 'node:child_process';
import {
  createWriteStream,
  existsSync,
  mkdirSync,
  readdirSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { UnavailableError } from '../errors';
import type { StackLayout } from './layout';

/** Pinned versions; see docs/adr/0002-local-stack-versions.md before changing them. */
export const versions = {
  kafka: '3.9.1',
  scala: '2.13',
  /** reload4j binding so the broker logs through its log4j.properties. */
  slf4jReload4j: '1.7.36',
  /** 3.1.7 is not on Maven Central; 3.0.9 is the newest published release that runs on Java 17. */
  apicurio: '3.0.9',
} as const;

function kafkaPom(): string {
  return `<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>local.capacity</groupId><artifactId>stack-kafka</artifactId><version>1</version>
  <dependencies>
    <dependency><groupId>org.apache.kafka</groupId><artifactId>kafka_${versions.scala}</artifactId><version>${versions.kafka}</version></dependency>
    <dependency><groupId>org.slf4j</groupId><artifactId>slf4j-reload4j</artifactId><version>${versions.slf4jReload4j}</version></dependency>
  </dependencies>
</project>
`;
}

async function mvn(args: readonly string[], cwd: string, logFile: string): Promise<void> {
  const log = createWriteStream(logFile, { flags: 'a' });
  await new Promise<void>((resolve, reject) => {
    const child = spawn('mvn', ['-B', '-q', ...args], { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.pipe(log, { end: false });
    child.stderr.pipe(log, { end: false });
    child.on('error', (error) =>
      reject(new UnavailableError(`could not run mvn (is Maven installed and on PATH?): ${error.message}`)),
    );
    child.on('exit', (code) =>
      code === 0
        ? resolve()
        : reject(new UnavailableError(`mvn ${args.join(' ')} failed with exit code ${code}; see ${logFile}`)),
    );
  });
  log.end();
}

/** Ensures the Kafka jars are in the cache; returns the classpath directory. */
export async function ensureKafkaDistribution(
  layout: StackLayout,
  say: (line: string) => void,
): Promise<string> {
  if (existsSync(join(layout.kafkaLibs, `kafka_${versions.scala}-${versions.kafka}.jar`)))
    return layout.kafkaLibs;
  say(`downloading Apache Kafka ${versions.kafka} jars from Maven Central (first run only)...`);
  mkdirSync(layout.downloads, { recursive: true });
  writeFileSync(join(layout.downloads, 'pom.xml'), kafkaPom());
  const staging = `${layout.kafkaLibs}.partial`;
  rmSync(staging, { recursive: true, force: true });
  await mvn(
    ['dependency:copy-dependencies', `-DoutputDirectory=${staging}`, '-DincludeScope=runtime'],
    layout.downloads,
    join(layout.downloads, 'mvn.log'),
  );
  rmSync(layout.kafkaLibs, { recursive: true, force: true });
  renameSync(staging, layout.kafkaLibs);
  return layout.kafkaLibs;
}

/** Ensures the Apicurio Registry runner is unpacked in the cache; returns the path of its runner jar. */
export async function ensureRegistryDistribution(
  layout: StackLayout,
  say: (line: string) => void,
): Promise<string> {
  const jar = join(layout.registryHome, `apicurio-registry-app-${versions.apicurio}-runner.jar`);
  if (existsSync(jar)) return jar;
  say(`downloading Apicurio Registry ${versions.apicurio} from Maven Central (first run only)...`);
  mkdirSync(layout.downloads, { recursive: true });
  const log = join(layout.downloads, 'mvn.log');
  await mvn(
    [
      'dependency:copy',
      `-Dartifact=io.apicurio:apicurio-registry-app:${versions.apicurio}:tar.gz:all`,
      `-DoutputDirectory=${layout.downloads}`,
    ],
    layout.downloads,
    log,
  );
  const archive = readdirSync(layout.downloads).find(
    (f) => f.startsWith('apicurio-registry-app') && f.endsWith('.tar.gz'),
  );
  if (!archive)
    throw new UnavailableError(`Apicurio archive not found in ${layout.downloads} after mvn; see ${log}`);
  const staging = `${layout.registryHome}.partial`;
  rmSync(staging, { recursive: true, force: true });
  mkdirSync(staging, { recursive: true });
  await new Promise<void>((resolve, reject) => {
    const tar = spawn('tar', ['-xzf', join(layout.downloads, archive), '-C', staging], { stdio: 'inherit' });
    tar.on('error', reject);
    tar.on('exit', (code) =>
      code === 0 ? resolve() : reject(new UnavailableError(`tar exited with ${code}`)),
    );
  });
  rmSync(join(layout.downloads, archive));
  rmSync(layout.registryHome, { recursive: true, force: true });
  renameSync(staging, layout.registryHome);
  return jar;
}
