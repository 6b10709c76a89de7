import type { Command } from 'commander';
import { parseBrokerCount, stackDown, stackStatus, stackUp, type StackStatus } from '../devstack';
import type { CliContext } from './main';

function printStatus(status: StackStatus, out: (line: string) => void): void {
  out(`stack folder: ${status.root}`);
  for (const c of status.components) {
    const owner = c.pid === null ? (c.healthy ? 'not started by this stack' : 'not running') : `pid ${c.pid}`;
    out(
      `  ${c.name.padEnd(9)} ${c.healthy ? 'up  ' : 'down'}  ${c.address.padEnd(45)} ${owner}  log: ${c.logFile}`,
    );
    if (c.note) out(`            ${c.note}`);
  }
}

export function registerStackCommands(program: Command, context: CliContext): void {
  const stack = program
    .command('stack')
    .description(
      'local Kafka (KRaft; one broker, or three with `stack up --brokers 3`) + schema registry + PostgreSQL ' +
        "on this machine's own addresses, from Maven Central, no Docker",
    );
  stack
    .command('up')
    .description(
      'download (first run), start what is not running (each broker on its own) and wait until healthy; ' +
        'a no-op when already up; a three-broker stack prints the CAPACITY_* settings its clients need',
    )
    .option(
      '--sasl',
      'a new cluster requires SASL/SCRAM-SHA-512 logins: its user (CAPACITY_SASL_* if set to scram-sha-512, ' +
        'else "capacity" with a generated password) goes to <CAPACITY_STACK_DIR>/data/kafka-sasl.env; ' +
        'an existing cluster keeps how it was formatted',
    )
    .option('--kafka-only', 'start the broker(s) alone (no registry, no PostgreSQL)')
    .option(
      '--brokers <n>',
      'brokers of a new cluster: 1 (default) or 3 (broker i on the i-th CAPACITY_BROKERS address when it lists ' +
        "three, else on the first one's port + i-1; controller i on CAPACITY_STACK_CONTROLLER_PORT + i-1; " +
        'replication factor 3, min.insync.replicas 2); an existing cluster keeps its count: a different ' +
        'one is refused (delete <CAPACITY_STACK_DIR>/data or use another CAPACITY_STACK_DIR)',
    )
    .action(async (options: { sasl?: boolean; kafkaOnly?: boolean; brokers?: string }) => {
      const brokers = options.brokers === undefined ? undefined : parseBrokerCount(options.brokers);
      const result = await stackUp(context.config(), context.out, { ...options, brokers });
      if (result.started.length === 0) context.out('stack already up; nothing started');
      printStatus(result.status, context.out);
    });
  stack
    .command('down')
    .description('stop the processes this stack started, every broker included (pid files)')
    .action(async () => stackDown(context.config(), context.out));
  stack
    .command('status')
    .description('what runs where: each broker (kafka-1 … of a cluster), registry, PostgreSQL')
    .action(async () => {
      const status = await stackStatus(context.config());
      printStatus(status, context.out);
      if (status.components.some((c) => !c.healthy)) process.exitCode = 3;
    });
}
