// One vitest project per area, so one area runs alone:
//   npx vitest run --project control|media|ui|e2e
//
// Pools and concurrency (2-core machines, shared with other work):
// - every project uses `forks`: the tests spawn child processes (media nodes,
//   control instances, Chromium) and some SIGKILL them; a forked worker keeps
//   those signals and native handles (mediasoup, wrtc) out of vitest's own
//   process, and a crashed native addon takes down one file, not the run.
// - `control` runs two files at once: each file has its own service on port 0,
//   its own Redis key prefix and data dir, and the work is mostly waiting on
//   Redis and sockets.
// - `media`, `ui` and `e2e` run one file at a time: each starts several media
//   nodes (mediasoup workers) and/or Chromium with a fake camera, and two of
//   those at once on two cores starve the encoders and the healing timers the
//   tests measure.
// - the groups run one after another (sequence.groupOrder), so a browser file
//   never overlaps a control file either.
import { defineConfig } from 'vitest/config';

const area = (name: string, groupOrder: number, include: string[], maxWorkers: number, testTimeout: number) => ({
  extends: true as const,
  test: {
    name,
    include,
    maxWorkers,
    fileParallelism: maxWorkers > 1,
    testTimeout,
    sequence: { groupOrder },
  },
});

export default defineConfig({
  test: {
    pool: 'forks',
    environment: 'node',
    // Starting a control service, a cascade of media nodes or Chromium takes
    // seconds; hooks get the same budget as the tests of their area.
    hookTimeout: 180_000,
    teardownTimeout: 60_000,
    // Real processes: a retry would hide the flakiness these tests exist to catch.
    retry: 0,
    reporters: ['default'],
    projects: [
      area('control', 0, ['test/control/**/*.test.ts'], 2, 120_000),
      area('media', 1, ['test/media/**/*.test.ts', 'test/mediasoup-suite/**/*.test.ts'], 1, 240_000),
      area('ui', 2, ['test/ui/**/*.test.ts'], 1, 180_000),
      area('e2e', 3, ['test/e2e/**/*.test.ts'], 1, 240_000),
    ],
    coverage: {
      provider: 'v8',
      include: ['server/**', 'media/**', 'signaling/**', 'client/**', 'infra/**'],
      exclude: ['**/*.d.ts', 'client/vite.config.ts'],
      reporter: ['text-summary', 'json-summary'],
      reportsDirectory: 'test-artifacts/coverage',
    },
  },
});
