import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { helpText, surfaceOf } from '../../src/cli/command.js';
import { COMMANDS } from '../../src/cli/commands/index.js';
import { massDeleteGate } from '../../src/core/safety/mass-delete.js';
import { DEFAULT_SAFETY_SETTINGS } from '../../src/core/safety/settings.js';
import type { GateInput } from '../../src/core/safety/types.js';
import { ACTION_SURFACE, configSurface, withSurface } from '../../src/core/settings/surface.js';

/**
 * Each command's option table drives its parsing and its --help, and ties flags to action inputs:
 * every flag is in the help, every flag's input exists in the action.yml, and every input of the
 * action is a flag, a variable, or listed with the reason it is not on the CLI.
 */
const ROOT = path.resolve(new URL('../..', import.meta.url).pathname);
const inputsOf = (action: string): string[] => {
  const file = action === '.' ? 'action.yml' : `actions/${action}/action.yml`;
  const yml = parseYaml(readFileSync(path.join(ROOT, file), 'utf8')) as { inputs: Record<string, unknown> };
  return Object.keys(yml.inputs);
};

describe.each(COMMANDS.map((c) => [c.name, c] as const))('ferry %s', (_name, cmd) => {
  test('--help lists every flag, with its value and help (a removed flag is not offered)', () => {
    const help = helpText(cmd);
    for (const [flag, o] of Object.entries(cmd.options)) {
      if (o.removed) {
        expect(help).not.toContain(`--${flag}`);
        continue;
      }
      expect(help).toContain(`--${flag}${o.type === 'string' ? ` ${o.arg ?? 'VALUE'}` : ''}`);
      expect(help).toContain(o.help);
    }
  });

  if (cmd.action)
    test(`its flags and variables cover the inputs of ${cmd.action === '.' ? 'action.yml' : cmd.action}`, () => {
      const inputs = inputsOf(cmd.action!);
      const flagged = Object.values(cmd.options).flatMap((o) => (o.input ? [o.input] : []));
      for (const i of [...flagged, ...Object.keys(cmd.env ?? {}), ...Object.keys(cmd.notOnCli ?? {})])
        expect(inputs).toContain(i);
      const covered = new Set([
        ...flagged,
        ...Object.keys(cmd.env ?? {}),
        ...Object.keys(cmd.notOnCli ?? {}),
      ]);
      expect(inputs.filter((i) => !covered.has(i))).toEqual([]);
    });
});

test('ferry export --help lists the gate flags', () => {
  const help = helpText(COMMANDS.find((c) => c.name === 'export')!);
  for (const f of [
    '--forbidden-path GLOB',
    '--secret-pattern RE',
    '--allowed-secret-fingerprint FP',
    '--no-secret-scan',
    '--no-import-check',
    '--max-delete-ratio R',
    '--allow-mass-delete',
  ])
    expect(help).toContain(f);
});

describe('engine messages speak the surface the user is on', () => {
  const input = {
    changes: Array.from({ length: 8 }, (_, i) => ({ change: 'deleted', targetPath: `f${i}` })),
    targetFileCount: 10,
    settings: DEFAULT_SAFETY_SETTINGS,
  } as unknown as GateInput;
  const message = async () => (await massDeleteGate(input))[0].message;

  test('action: the input', async () => {
    expect(await withSurface(ACTION_SURFACE, message)).toMatch(
      /set allow-mass-delete: true for this run, or raise input 'max-delete-ratio'/,
    );
  });
  test('CLI: the flag', async () => {
    const cli = surfaceOf(COMMANDS.find((c) => c.name === 'export')!);
    expect(await withSurface(cli, message)).toMatch(
      /set --allow-mass-delete for this run, or raise --max-delete-ratio/,
    );
  });
  test('ferry.yml: the key of the target', async () => {
    expect(await withSurface(configSurface('public'), message)).toMatch(
      /set allow_mass_delete: true \(in targets\.public\) for this run, or raise targets\.public\.max_delete_ratio/,
    );
  });
});

describe('the per-commit guard of a replay names its commit and the per-commit setting', () => {
  const input = {
    changes: Array.from({ length: 8 }, (_, i) => ({ change: 'deleted', targetPath: `f${i}` })),
    targetFileCount: 10,
    settings: DEFAULT_SAFETY_SETTINGS,
    context: `source commit ${'ab12'.repeat(10)}`,
  } as unknown as GateInput;
  const commit = 'ab12'.repeat(10);
  const message = async () => (await massDeleteGate(input, { commit }))[0].message;

  test('action: the list input', async () => {
    expect(await withSurface(ACTION_SURFACE, message)).toMatch(
      /^source commit ab12ab12.*set allow-mass-delete-commits: ab12ab12ab12 to allow it for this source commit only, or allow-mass-delete: true for the whole run, or raise input 'max-delete-ratio'\.$/,
    );
  });
  test('CLI: the repeatable flag', async () => {
    const cli = surfaceOf(COMMANDS.find((c) => c.name === 'export')!);
    expect(await withSurface(cli, message)).toMatch(
      /set --allow-mass-delete-commit ab12ab12ab12 to allow it for this source commit only, or --allow-mass-delete for the whole run, or raise --max-delete-ratio\.$/,
    );
  });
  test('ferry.yml: the list key of the target', async () => {
    expect(await withSurface(configSurface('public'), message)).toMatch(
      /set allow_mass_delete_commits: \[ab12ab12ab12\] \(in targets\.public\) to allow it for this source commit only/,
    );
  });
  test('a named commit passes with a warning naming the setting', async () => {
    const [f] = await massDeleteGate(input, { commit, allowedBy: 'allow-mass-delete-commits' });
    expect(f).toMatchObject({ severity: 'warning', code: 'mass-delete' });
    expect(f.message).toMatch(/allowed by input 'allow-mass-delete-commits'\.$/);
  });
});
