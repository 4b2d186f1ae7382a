import type { Direction } from '../report/result.js';
import type { TargetOptionsByKind } from './target-options.generated.js';

/**
 * ferry.yml, after validation. Field names keep the file's snake_case so docs, schema and code
 * say the same thing. Every target and check remembers where it was written (file:line) so the
 * runner's messages can point back at the config.
 */
export const TARGET_KINDS = ['command', 'export', 'mirror', 'wiki', 'dirsync'] as const;
export type TargetKind = (typeof TARGET_KINDS)[number];

export interface Where {
  file: string;
  line: number;
  column: number;
}

export interface Verification {
  command: string;
  expected_min?: number;
  expected_max?: number;
  expected_exit_code?: number;
}

interface TargetFields {
  name: string;
  direction: Direction;
  description?: string;
  schedule?: string;
  enabled: boolean;
  commit: boolean;
  dry_run: boolean;
  fail_on_diff: boolean;
  verification?: Verification;
  timeout_minutes: number;
  where: Where;
}

/**
 * One target, discriminated on `kind`: `options` holds the kind's own keys, as written, typed by
 * target-options.generated.ts (generated from the schema the loader validated them against).
 */
export type TargetConfig = {
  [K in TargetKind]: TargetFields & { kind: K; options: TargetOptionsByKind[K] };
}[TargetKind];

export type TargetOf<K extends TargetKind> = Extract<TargetConfig, { kind: K }>;

/** Something in the config that works but should change (a deprecated key), at file:line. */
export interface ConfigWarning {
  message: string;
  where: Where;
}

export interface CheckConfig {
  name: string;
  command: string;
  expected_exit_code: number;
  skip_on_pull: boolean;
  skip_on_push: boolean;
  where: Where;
}

export interface DriftGateConfig {
  name: string;
  command: string;
  min_value?: number;
  max_value?: number;
  where: Where;
}

export interface WorkflowSettings {
  uses: string;
  runs_on: string;
  branches: string[];
}

export interface FerryConfig {
  /** The config file as given (for messages) and its absolute path. */
  file: string;
  absFile: string;
  /** The repository root the config's paths are relative to. */
  root: string;
  version: string;
  defaults: {
    direction: Direction;
    dry_run: boolean;
    fail_on_diff: boolean;
    commit: boolean;
    push: boolean;
    commit_message: string;
  };
  targets: TargetConfig[];
  /** Deprecated keys and the like: the runner logs them as warnings at their file:line. */
  warnings: ConfigWarning[];
  safety: {
    secret_patterns: string[];
    pre_sync_checks: CheckConfig[];
    post_sync_checks: CheckConfig[];
    drift_gates: DriftGateConfig[];
  };
  components?: Record<string, string[]>;
  editions?: Record<string, unknown>;
  workflows: WorkflowSettings;
}

export const DEFAULT_CONFIG_PATH = '.github/ferry.yml';
export const DEFAULT_COMMIT_MESSAGE = 'ferry: sync {target}';
export const DEFAULT_TIMEOUT_MINUTES = 30;
export const DEFAULT_WORKFLOW_USES = 'ferry-sync/ferry@v1';
