// The README's configuration table and `capacity --help` come from the same settings; this keeps the
// README honest when a setting is added.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { settings } from '../../../src/config';

const readme = readFileSync(join(__dirname, '../../../README.md'), 'utf8');

test.each(settings.map((s) => [s.env, s.default ?? '']))(
  'README documents %s with its default',
  (env, def) => {
    const row = readme.split('\n').find((line) => line.startsWith(`| \`${env}\``));
    expect(row).toBeDefined();
    if (def !== '') expect(row).toContain(`\`${def}\``);
  },
);
