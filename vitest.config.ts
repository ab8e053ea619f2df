import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["src/**/*.test.ts", "test/**/*.test.ts"],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    pool: "forks",
    // Vitest's default is one worker fewer than the cores: one on this 2-core machine, where the
    // suite mostly waits on the processes it starts (sandbox children, Redis, Chromium). Two
    // files at a time took the local suite from 403 s to 297 s; three took 320 s.
    maxWorkers: 2,
    // Commands the tests run trace locally: no warm sandbox server outlives the run
    // (src/python/warm.test.ts starts and stops its own).
    env: { TRACECODE_NO_WARM: "1" },
  },
});
