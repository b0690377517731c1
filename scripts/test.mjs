#!/usr/bin/env node
// Runs every workspace's tests through turbo, then prints one closing line for the whole run
// ("Tests: N passed, N failed, N skipped") from the JSON reports vitest writes in each workspace.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';

// Every workspace that can hold tests: the folders pnpm-workspace.yaml names.
const workspaces = ['packages', 'apps', 'tests']
  .flatMap((parent) => (existsSync(parent) ? readdirSync(parent).map((name) => join(parent, name)) : []))
  .concat('bench')
  .filter((dir) => existsSync(join(dir, 'package.json')));
const reportOf = (dir) => join(dir, '.test-results.json');
for (const dir of workspaces) rmSync(reportOf(dir), { force: true });

// Two test runs at a time: the machines have two cores, and the realtime, browser and soak suites
// measure timing, which a fully oversubscribed machine distorts.
const result = spawnSync(
  'turbo',
  ['run', 'test', '--continue', '--concurrency=2', ...process.argv.slice(2)],
  {
    stdio: 'inherit',
    env: { ...process.env, TURBO_TELEMETRY_DISABLED: '1' },
    shell: process.platform === 'win32',
  },
);

let passed = 0;
let failed = 0;
let skipped = 0;
for (const dir of workspaces) {
  if (!existsSync(reportOf(dir))) continue;
  const report = JSON.parse(readFileSync(reportOf(dir), 'utf8'));
  passed += report.numPassedTests ?? 0;
  failed += report.numFailedTests ?? 0;
  skipped += (report.numPendingTests ?? 0) + (report.numTodoTests ?? 0);
}
const status = result.status ?? 1;
if (status !== 0 && failed === 0) failed = 1; // a suite that failed to load still fails the run
console.log(`\nTests: ${passed} passed, ${failed} failed, ${skipped} skipped`);
process.exit(status);
