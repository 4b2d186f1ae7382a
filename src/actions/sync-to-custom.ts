import * as core from '@actions/core';
import * as path from 'node:path';
import { runCustomExports } from '../core/export/custom.js';
import { listInput, runActionMain } from './action-runner.js';
import { publishResults, readExportInputs } from './sync-to-public.js';

/**
 * sync-to-custom: one private package repository per customer. Shares every input of
 * sync-to-public (read by readExportInputs) and adds the package inputs below.
 */
const INPUT = {
  targetRepo: 'target-repo',
  package: 'package',
  packages: 'packages',
  allowlistDir: 'allowlist-dir',
  packageAllowlist: 'package-allowlist',
  genericAllowlist: 'generic-allowlist',
  template: 'template',
} as const;

export async function run(): Promise<void> {
  await runActionMain(async (logger) => {
    const workspace = process.env.GITHUB_WORKSPACE || process.cwd();
    const base = readExportInputs(INPUT.targetRepo);
    const template = core.getInput(INPUT.template);
    if (template) base.templateDir = path.resolve(workspace, template);
    const packages = [...listInput(INPUT.package), ...listInput(INPUT.packages)];
    const results = await runCustomExports(
      base,
      {
        packages,
        allowlistDir: path.resolve(workspace, core.getInput(INPUT.allowlistDir) || '.'),
        packageAllowlist: core.getInput(INPUT.packageAllowlist) || undefined,
        genericAllowlist: core.getInput(INPUT.genericAllowlist) || undefined,
      },
      logger,
    );
    for (const r of results) logger.info(`${r.target}: ${r.message}`);
    await publishResults('sync-to-custom', 'Ferry: sync to custom packages', results);
  });
}
