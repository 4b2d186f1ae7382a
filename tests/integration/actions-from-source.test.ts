import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { ACTIONS } from '../../src/actions/constants.js';
import { run as runBilateralMirror } from '../../src/actions/bilateral-mirror.js';
import { run as runImportPullRequest } from '../../src/actions/import-pull-request.js';
import { run as runRoot } from '../../src/actions/run.js';
import { run as runSyncToCustom } from '../../src/actions/sync-to-custom.js';
import { run as runSyncToPublic } from '../../src/actions/sync-to-public.js';
import { run as runSyncWikis } from '../../src/actions/sync-wikis.js';
import { makeBare, makeRepo, lsTree } from '../support/git-fixtures.js';
import { reportViolations } from '../support/report-schema.js';
import { inputVar, parseOutputFile, REPO_ROOT } from '../support/run-action.js';
import { cleanupTmp, tmpDir } from '../support/tmp.js';

/**
 * Each adapter's run(), from its TypeScript source, with INPUT_* variables: the way GitHub's
 * @github/local-action runs an action (README, "Debugging an action locally"). And each action
 * reads exactly the inputs its action.yml declares: no more (a value under an undeclared name
 * would be ignored by the runner with only a warning), no fewer.
 */
afterAll(cleanupTmp);

type ActionName = keyof typeof ACTIONS;
const RUNS: Record<ActionName, () => Promise<void>> = {
  '.': runRoot,
  'sync-to-public': runSyncToPublic,
  'sync-to-custom': runSyncToCustom,
  'sync-wikis': runSyncWikis,
  'bilateral-mirror': runBilateralMirror,
  'import-pull-request': runImportPullRequest,
};

interface ActionYml {
  inputs?: Record<string, { default?: string }>;
  outputs?: Record<string, unknown>;
}

async function actionYml(name: ActionName): Promise<ActionYml> {
  const file = name === '.' ? 'action.yml' : `actions/${name}/action.yml`;
  return parseYaml(await fs.readFile(path.join(REPO_ROOT, file), 'utf8')) as ActionYml;
}

/** Run `fn` with these variables (and only the INPUT_* ones given), recording which INPUT_* it reads. */
async function withActionEnv(vars: Record<string, string>, fn: () => Promise<void>): Promise<Set<string>> {
  const saved = process.env;
  const savedExit = process.exitCode;
  const read = new Set<string>();
  const base = Object.fromEntries(Object.entries(saved).filter(([k]) => !k.startsWith('INPUT_')));
  process.env = new Proxy(
    { ...base, ...vars },
    {
      get(target, key) {
        if (typeof key === 'string' && key.startsWith('INPUT_')) read.add(key);
        return Reflect.get(target, key);
      },
    },
  );
  try {
    await fn();
  } finally {
    process.env = saved;
    process.exitCode = savedExit;
  }
  return read;
}

async function runnerFiles(dir: string) {
  const files = { output: path.join(dir, 'output'), summary: path.join(dir, 'summary'), temp: dir };
  await fs.writeFile(files.output, '');
  await fs.writeFile(files.summary, '');
  return files;
}

describe.each(Object.keys(ACTIONS) as ActionName[])('action %s', (name) => {
  test('its input table (src/actions/constants.ts) is its action.yml', async () => {
    const yml = await actionYml(name);
    const table = Object.values(ACTIONS[name].inputs).map((i) => i.name);
    expect([...table].sort()).toEqual(Object.keys(yml.inputs ?? {}).sort());
    const outputs = [...new Set([...Object.values(ACTIONS[name].outputs), 'report-path'])];
    expect(outputs.sort()).toEqual(Object.keys(yml.outputs ?? {}).sort());
  });

  test('run() reads exactly the declared inputs', async () => {
    const yml = await actionYml(name);
    const dir = await tmpDir('ferry-inputs-');
    const f = await runnerFiles(dir);
    const vars: Record<string, string> = {
      GITHUB_OUTPUT: f.output,
      GITHUB_STEP_SUMMARY: f.summary,
      RUNNER_TEMP: f.temp,
      GITHUB_WORKSPACE: dir,
    };
    // The defaults the runner would pass, minus expressions; the required repositories stay empty
    // so each run stops at its first check, after reading its inputs.
    for (const [input, d] of Object.entries(yml.inputs ?? {}))
      vars[inputVar(input)] = d.default && !d.default.includes('${{') ? String(d.default) : '';
    vars[inputVar('config')] = 'missing-ferry.yml';
    const read = await withActionEnv(vars, RUNS[name]);
    expect([...read].sort()).toEqual(
      Object.keys(yml.inputs ?? {})
        .map(inputVar)
        .sort(),
    );
  });
});

test('sync-to-public runs from src/actions/sync-to-public.ts with INPUT_* variables (local-action style)', async () => {
  const dir = await tmpDir('ferry-local-action-');
  const source = path.join(dir, 'work');
  await makeRepo(source, { 'pub/a.txt': 'a\n', 'secret/b.txt': 'b\n', 'public_allowlist.txt': 'pub/\n' });
  const target = await makeBare(path.join(dir, 'public.git'));
  const f = await runnerFiles(dir);
  // What the README's .env example sets: inputs whose default matters, paths relative to the workspace.
  const vars = {
    'INPUT_TARGET-REPO': target,
    INPUT_ALLOWLIST: 'public_allowlist.txt',
    'INPUT_DRY-RUN': 'false',
    INPUT_MODE: 'snapshot',
    'INPUT_SECRET-SCAN': 'true',
    'INPUT_IMPORT-CHECK': 'true',
    'INPUT_MAX-DELETE-RATIO': '0.5',
    GITHUB_WORKSPACE: source,
    RUNNER_TEMP: f.temp,
    GITHUB_OUTPUT: f.output,
    GITHUB_STEP_SUMMARY: f.summary,
  };
  let exitCode: number | string | undefined;
  await withActionEnv(vars, async () => {
    await runSyncToPublic();
    exitCode = process.exitCode;
  });
  expect(exitCode ?? 0).toBe(0);
  expect(lsTree(target)).toEqual(['pub/a.txt']);
  const outputs = parseOutputFile(await fs.readFile(f.output, 'utf8'));
  expect(outputs).toMatchObject({ changed: 'true', 'files-added': '1' });
  const report = JSON.parse(await fs.readFile(outputs['report-path'], 'utf8'));
  expect(report).toMatchObject({ schema_version: 2, command: 'sync-to-public', successful: 1 });
  expect(reportViolations(report)).toEqual([]);
  expect(outputs['report-path']).toBe(path.join(f.temp, 'ferry-sync-to-public-report.json'));
});
