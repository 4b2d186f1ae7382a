import { runCustomExports } from '../core/export/custom.js';
import { resolveExportSettings } from '../core/export/settings.js';
import { inWorkspace, runActionMain } from './action-runner.js';
import { SYNC_TO_CUSTOM } from './constants.js';
import { readInputs } from './input-helper.js';
import { exportOptions, exportServices, publishExport } from './sync-to-public.js';

/**
 * sync-to-custom: one private package repository per customer. Shares the export inputs of
 * sync-to-public (but not `allowlist`: each package's allowlist comes from allowlist-dir) and adds
 * the package inputs.
 */
export async function run(): Promise<void> {
  await runActionMain(async (logger) => {
    const inputs = readInputs(SYNC_TO_CUSTOM.inputs);
    const base = resolveExportSettings({
      ...exportOptions(inputs),
      templateDir: inWorkspace(inputs.template) || undefined,
    });
    const results = await runCustomExports(
      base,
      {
        packages: [...inputs.package, ...inputs.packages],
        allowlistDir: inWorkspace(inputs.allowlistDir || '.'),
        packageAllowlist: inputs.packageAllowlist || undefined,
        genericAllowlist: inputs.genericAllowlist || undefined,
      },
      logger,
      exportServices(base.auth?.token, logger),
    );
    for (const r of results) logger.info(`${r.target}: ${r.message}`);
    await publishExport('sync-to-custom', 'Ferry: sync to custom packages', results, inputs.reportPath);
  });
}
