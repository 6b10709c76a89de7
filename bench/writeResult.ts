import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** Writes bench/results/<prefix>-<timestamp>.json (git-ignored) and returns its path. */
export function writeResult(prefix: string, data: unknown): string {
  const dir = join(__dirname, 'results');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `${prefix}-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
  writeFileSync(file, `${JSON.stringify(data, null, 2)}\n`);
  return file;
}
