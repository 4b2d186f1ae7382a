import { parseConfig } from '../../src/core/config/load.js';
import { captureLogger } from '../../src/core/logger.js';
import { runConfig } from '../../src/core/runner/run.js';

/**
 * ferry.yml targets go through the same resolvers as the actions and the CLI, and their messages
 * name ferry.yml keys; a renamed key still works, with a warning at its line.
 */
const config = (extra: string) =>
  [
    'version: "1"',
    'targets:',
    '  public:',
    '    kind: export',
    '    repo: acme/public',
    '    direction: push',
    extra,
    '',
  ].join('\n');

test('an export target is resolved like the action: a bad value is named by its ferry.yml key', async () => {
  const cfg = parseConfig(config('    max_retries: 51'), 'ferry.yml', { root: '/nonexistent' });
  const outcome = await runConfig(cfg, { logger: captureLogger(), env: {} });
  expect(outcome.results[0].success).toBe(false);
  expect(outcome.results[0].message).toBe(
    "targets.public.max_retries must be a whole number from 0 to 50, got '51'.",
  );
});

test('max_delete_share still works, renamed to max_delete_ratio, with a warning at its line', async () => {
  const cfg = parseConfig(config('    max_delete_share: 0.9'), 'ferry.yml', { root: '/nonexistent' });
  const t = cfg.targets[0];
  expect(t.kind === 'export' && t.options.max_delete_ratio).toBe(0.9);
  expect(cfg.warnings).toEqual([
    {
      message: 'targets.public.max_delete_share is deprecated: rename it to max_delete_ratio.',
      where: { file: 'ferry.yml', line: 7, column: 5 },
    },
  ]);
  const logger = captureLogger();
  await runConfig(cfg, { logger, env: {}, dryRun: true });
  expect(logger.text()).toContain('warning: targets.public.max_delete_share is deprecated');
  expect(() =>
    parseConfig(config('    max_delete_share: 0.9\n    max_delete_ratio: 0.8'), 'ferry.yml'),
  ).toThrow(/ferry.yml:7:5: target 'public' sets both max_delete_share and max_delete_ratio/);
});
