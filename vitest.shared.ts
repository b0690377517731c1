import { readdirSync, existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { defineConfig, type ViteUserConfig } from 'vitest/config';

const root = fileURLToPath(new URL('.', import.meta.url));
const packagesDir = join(root, 'packages');

/**
 * Tests import sibling packages from source, so `pnpm test` needs no build step and a change in
 * `@x/audio` is seen at once by `@x/core`'s tests. Subpath entries (`@x/core/testing`) map to
 * `src/<subpath>/index.ts`.
 */
function workspaceAliases(): { find: RegExp; replacement: string }[] {
  const aliases: { find: RegExp; replacement: string }[] = [];
  for (const dir of readdirSync(packagesDir)) {
    const src = join(packagesDir, dir, 'src');
    if (!existsSync(src)) continue;
    for (const sub of readdirSync(src, { withFileTypes: true })) {
      if (sub.isDirectory() && existsSync(join(src, sub.name, 'index.ts'))) {
        aliases.push({
          find: new RegExp(`^@x/${dir}/${sub.name}$`),
          replacement: join(src, sub.name, 'index.ts'),
        });
      }
    }
    aliases.push({ find: new RegExp(`^@x/${dir}$`), replacement: join(src, 'index.ts') });
  }
  return aliases;
}

export const sharedConfig: ViteUserConfig = defineConfig({
  resolve: { alias: workspaceAliases() },
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    setupFiles: [join(root, 'test-support/leak-check.ts')],
    testTimeout: 20_000,
    hookTimeout: 20_000,
    pool: 'forks',
    reporters: ['default', ['json', { outputFile: '.test-results.json' }]],
  },
});
