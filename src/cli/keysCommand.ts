// `capacity keys create`: a new API key, shown once, and the line that configures it (only its hash).
import { appendFileSync, chmodSync, existsSync } from 'node:fs';
import type { Command } from 'commander';
import { formatApiKeySpec, generateApiKey, isRole, ROLES } from '../auth';
import { ConfigError } from '../errors';
import type { CliContext } from './main';

export function registerKeysCommand(program: Command, context: CliContext): void {
  const keys = program.command('keys').description('API keys of the HTTP gateway (README, Access control)');
  keys
    .command('create')
    .description('make a new API key: prints the key once and the CAPACITY_API_KEYS entry (its hash)')
    .requiredOption('--name <name>', 'who uses it; appears in logs and in the metadata of its commands')
    .requiredOption('--role <role>', `one of ${ROLES.join(', ')}`)
    .option('--file <path>', 'append the entry to this CAPACITY_API_KEYS_FILE (created 0600 if missing)')
    .action((options: { name: string; role: string; file?: string }) => {
      if (!isRole(options.role))
        throw new ConfigError(
          `--role: must be one of ${ROLES.join(', ')} (got ${JSON.stringify(options.role)})`,
        );
      const { key, spec } = generateApiKey(options.name, options.role);
      const entry = formatApiKeySpec(spec);
      context.out(`key (shown once, keep it secret; send it as X-API-Key): ${key}`);
      context.out(`entry: ${entry}`);
      if (options.file) {
        const created = !existsSync(options.file);
        appendFileSync(options.file, `${entry}\n`, { mode: 0o600 });
        if (created) chmodSync(options.file, 0o600);
        context.out(`appended to ${options.file}; gateways read it at start (CAPACITY_API_KEYS_FILE)`);
      } else {
        context.out('add the entry to CAPACITY_API_KEYS (comma-separated) or to a CAPACITY_API_KEYS_FILE');
      }
    });
}
