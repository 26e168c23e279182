import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Real containers and daemons: one file at a time keeps runc, podman and containerd from racing.
    fileParallelism: false,
    testTimeout: 60_000,
    hookTimeout: 120_000,
    dangerouslyIgnoreUnhandledErrors: false,
    setupFiles: ['test/setup/fail-on-warnings.ts'],
    reporters: ['default', './test/setup/no-skips-in-ci.ts'],
  },
});
