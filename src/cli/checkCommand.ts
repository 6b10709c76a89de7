import type { Command } from 'commander';
import { checkInvariants } from '../checker';
import { createLogger } from '../observability';
import type { CliContext } from './main';

export function registerCheckCommand(program: Command, context: CliContext): void {
  program
    .command('check')
    .description(
      'verify the invariants over everything written so far (read_committed); exit 1 on any violation',
    )
    .action(async () => {
      const config = context.config();
      const report = await checkInvariants(config, createLogger(config.logLevel));
      context.out(
        `pools ${report.pools}, events ${report.events}, commands ${report.commands}, results ${report.results} (${report.accepted} accepted, ${report.rejected} rejected)`,
      );
      for (const violation of report.violations) context.out(`VIOLATION ${violation}`);
      context.out(
        report.violations.length === 0 ? 'all invariants hold' : `${report.violations.length} violation(s)`,
      );
      if (report.violations.length > 0) process.exitCode = 1;
    });
}
