import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["src/**/*.test.ts", "test/**/*.test.ts"],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    pool: "forks",
    // Commands the tests run trace locally: no warm sandbox server outlives the run
    // (src/python/warm.test.ts starts and stops its own).
    env: { TRACECODE_NO_WARM: "1" },
  },
});
