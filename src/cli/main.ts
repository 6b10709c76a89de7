// `capacity`: one command with subcommands. Each subcommand loads and validates the config once.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Command } from 'commander';
import { describeSettings, loadConfig, type Config } from '../config';
import { CapacityError, describeError } from '../errors';
import { registerCheckCommand } from './checkCommand';
import { registerConnectorCommand } from './connectorCommand';
import { exitCodeFor } from './exitCodes';
import { registerGatewayCommand } from './gatewayCommand';
import { registerHistoryCommand } from './historyCommand';
import { registerKeysCommand } from './keysCommand';
import { registerProcessorCommand } from './processorCommand';
import { registerStackCommands } from './stackCommands';
import { registerStartCommand } from './startCommand';
import { registerTailCommand } from './tailCommand';
import { registerTopicCommands } from './topicCommands';

export interface CliContext {
  /** Loaded lazily so that `--help` works even with a broken environment. */
  config(): Config;
  out(line: string): void;
}

function packageVersion(): string {
  const pkg = JSON.parse(readFileSync(join(__dirname, '..', '..', 'package.json'), 'utf8')) as {
    version: string;
  };
  return pkg.version;
}

export function buildProgram(context: CliContext): Command {
  const program = new Command('capacity')
    .description('Capacity reservation service for delivery slots, on Apache Kafka')
    .showHelpAfterError()
    .addHelpText('after', `\nEnvironment (every setting; validated at start-up):\n${describeSettings()}\n`);
  program.version(packageVersion(), '--version', 'print the version');
  registerStartCommand(program, context);
  registerProcessorCommand(program, context);
  registerGatewayCommand(program, context);
  registerCheckCommand(program, context);
  registerStackCommands(program, context);
  registerTopicCommands(program, context);
  registerConnectorCommand(program, context);
  registerTailCommand(program, context);
  registerHistoryCommand(program, context);
  registerKeysCommand(program, context);
  return program;
}

export async function main(argv: readonly string[]): Promise<void> {
  // `capacity ... | head` closes stdout early; that is not an error.
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(0);
    throw error;
  });
  let config: Config | undefined;
  const context: CliContext = {
    config: () => (config ??= loadConfig()),
    out: (line) => process.stdout.write(`${line}\n`),
  };
  try {
    await buildProgram(context).parseAsync([...argv]);
  } catch (error) {
    const prefix = error instanceof CapacityError ? `capacity: ${error.code}: ` : 'capacity: ';
    process.stderr.write(`${prefix}${describeError(error)}\n`);
    process.exitCode = exitCodeFor(error);
  }
}
