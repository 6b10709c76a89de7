#!/usr/bin/env node
// Adds lockfile entries for optional platform packages that the npm registry reachable here does not serve
// (it only has linux-x64 binaries), so that `npm ci` stays in sync without fetching them. Each entry is marked
// optional with its os/cpu/libc, so npm skips it on every other platform and never downloads it here.
// Rerun after every `npm install` that touches @duckdb/*: `node dev/lockPlatformOptionals.js`.
// See docs/adr/0006-duckdb-on-this-registry.md.
'use strict';
const { readFileSync, writeFileSync } = require('node:fs');
const { join } = require('node:path');

const lockPath = join(__dirname, '..', 'package-lock.json');
const lock = JSON.parse(readFileSync(lockPath, 'utf8'));
const packages = lock.packages;

/** Platform suffix -> the os/cpu/libc npm checks before installing an optional package. */
function platformOf(suffix) {
  const [os, cpu, libc] = suffix.split('-');
  const entry = { cpu: [cpu], os: [os] };
  if (os === 'linux') entry.libc = [libc === 'musl' ? 'musl' : 'glibc'];
  return entry;
}

const PARENTS = ['node_modules/@duckdb/node-bindings'];
let added = 0;
for (const parentPath of PARENTS) {
  const parent = packages[parentPath];
  if (!parent) continue;
  for (const [name, version] of Object.entries(parent.optionalDependencies ?? {})) {
    const path = `node_modules/${name}`;
    if (packages[path]) continue;
    const suffix = name.slice(name.lastIndexOf('node-bindings-') + 'node-bindings-'.length);
    packages[path] = { version, ...platformOf(suffix), license: 'MIT', optional: true };
    added += 1;
  }
}
const sorted = {};
for (const key of Object.keys(packages).sort((a, b) => (a === '' ? -1 : b === '' ? 1 : a.localeCompare(b))))
  sorted[key] = packages[key];
lock.packages = sorted;
writeFileSync(lockPath, `${JSON.stringify(lock, null, 2)}\n`);
process.stdout.write(
  `package-lock.json: ${added} optional platform entr${added === 1 ? 'y' : 'ies'} added\n`,
);
