/**
 * sync-to-custom: one export per customer package. Each package gets its own allowlist when
 * `custom_package_allowlist_{package}.txt` exists, else the generic `custom_package_allowlist.txt`;
 * `{package}` is substituted in the target, the map, preserve globs and the template. Packages run
 * one after another and each is reported separately: one failing package does not stop the others.
 */
import { existsSync } from 'node:fs';
import * as path from 'node:path';
import { ConfigurationError, errorMessage, isExpectedError } from '../errors.js';
import { remoteLabel, resolveRemote } from '../git/remote.js';
import type { Logger } from '../logger.js';
import { failResult, newResult } from '../report/result.js';
import type { ExportResult, ExportServices } from './index.js';
import { runExport } from './index.js';
import { renderKnownPlaceholders, renderTemplate } from '../util/placeholders.js';
import type { ExportSettings } from './types.js';

export interface CustomOptions {
  packages: readonly string[];
  /** Directory holding the allowlists. */
  allowlistDir: string;
  /** Per-package allowlist file name, with `{package}`. */
  packageAllowlist?: string;
  /** Fallback allowlist file name. */
  genericAllowlist?: string;
}

export const DEFAULT_PACKAGE_ALLOWLIST = 'custom_package_allowlist_{package}.txt';
export const DEFAULT_GENERIC_ALLOWLIST = 'custom_package_allowlist.txt';

const PACKAGE_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;

export function validatePackageName(pkg: string): string {
  const p = pkg.trim();
  if (!PACKAGE_NAME.test(p) || p.includes('..'))
    throw new ConfigurationError(
      `Invalid package name '${pkg}'. Use letters, digits, '.', '_' and '-' (it becomes part of a repository name and of file names).`,
    );
  return p;
}

/** The allowlist for a package: its own file if present, else the generic one. */
export function resolvePackageAllowlist(pkg: string, o: CustomOptions): { file: string; generic: boolean } {
  const own = path.resolve(
    o.allowlistDir,
    renderTemplate(o.packageAllowlist ?? DEFAULT_PACKAGE_ALLOWLIST, { package: pkg }, 'package-allowlist'),
  );
  if (existsSync(own)) return { file: own, generic: false };
  const generic = path.resolve(o.allowlistDir, o.genericAllowlist ?? DEFAULT_GENERIC_ALLOWLIST);
  if (existsSync(generic)) return { file: generic, generic: true };
  throw new ConfigurationError(
    `No allowlist for package '${pkg}': neither ${own} nor ${generic} exists. Create one of them (same syntax as any Ferry allowlist).`,
  );
}

/** Settings for one package (pure apart from the allowlist lookup). */
export function packageSettings(base: ExportSettings, pkg: string, o: CustomOptions): ExportSettings {
  const vars = { ...(base.vars ?? {}), package: pkg };
  const { file } = resolvePackageAllowlist(pkg, o);
  const target = renderTemplate(base.target, vars, 'the target');
  return {
    ...base,
    target,
    vars,
    allowlistFile: file,
    rules: undefined,
    templateDir: base.templateDir ? renderTemplate(base.templateDir, vars, 'the template') : undefined,
    kind: 'custom',
    label: `${pkg} → ${remoteLabel(resolveRemote(target, base.auth?.serverUrl))}`,
  };
}

export async function runCustomExports(
  base: ExportSettings,
  o: CustomOptions,
  logger: Logger,
  services: ExportServices = {},
): Promise<ExportResult[]> {
  const packages = [...new Set(o.packages.map(validatePackageName))];
  if (!packages.length)
    throw new ConfigurationError('No package given. Set package (one name) or packages (a list).');
  if (packages.length > 1 && !base.target.includes('{package}'))
    throw new ConfigurationError(
      `Several packages would export to the same target '${base.target}'. Put {package} in the target, e.g. acme/{package}-sdk.`,
    );
  const results: ExportResult[] = [];
  for (const pkg of packages) {
    logger.startGroup(`Package ${pkg}`);
    try {
      const s = packageSettings(base, pkg, o);
      const r = await runExport(s, logger, services);
      r.details = { ...(r.details ?? {}), package: pkg, allowlist: s.allowlistFile };
      results.push(r);
    } catch (e) {
      if (!isExpectedError(e)) throw e;
      // Only a label: the error may be about the target's own placeholders.
      const label = `${pkg} → ${renderKnownPlaceholders(base.target, { package: pkg })}`;
      const r = failResult(newResult(label, 'custom', !!base.dryRun), errorMessage(e));
      r.details = { package: pkg };
      logger.error(`${pkg}: ${errorMessage(e)}`);
      results.push(r);
    } finally {
      logger.endGroup();
    }
  }
  return results;
}
