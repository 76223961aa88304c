import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Integration tests start real haproxy/mariadbd/php processes: give them room.
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // No test files is a broken checkout, not a pass.
    passWithNoTests: false,
  },
});
