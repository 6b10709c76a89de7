import type { Command } from 'commander';
import { stackDown, stackStatus, stackUp, type StackStatus } from '../devstack';
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
    .description('local Kafka (KRaft) + schema registry on loopback, from Maven Central, no Docker');
  stack
    .command('up')
    .description('download (first run), start and wait until healthy; a no-op when already up')
    .option(
      '--sasl',
      'a new cluster requires SASL/SCRAM-SHA-512 logins: its user (CAPACITY_SASL_* if set to scram-sha-512, ' +
        'else "capacity" with a generated password) goes to <CAPACITY_STACK_DIR>/data/kafka-sasl.env; ' +
        'an existing cluster keeps how it was formatted',
    )
    .option('--kafka-only', 'start the broker alone (no registry, no PostgreSQL)')
    .action(async (options: { sasl?: boolean; kafkaOnly?: boolean }) => {
      const result = await stackUp(context.config(), context.out, options);
      if (result.started.length === 0) context.out('stack already up; nothing started');
      printStatus(result.status, context.out);
    });
  stack
    .command('down')
    .description('stop the processes this stack started (pid files)')
    .action(async () => stackDown(context.config(), context.out));
  stack
    .command('status')
    .description('what runs where')
    .action(async () => {
      const status = await stackStatus(context.config());
      printStatus(status, context.out);
      if (status.components.some((c) => !c.healthy)) process.exitCode = 3;
    });
}
