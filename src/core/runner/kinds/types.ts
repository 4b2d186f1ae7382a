import type { FerryConfig, TargetKind, TargetOf } from '../../config/types.js';
import type { ExportPullRequestApiFactory } from '../../export/pull-request-api.js';
import type { Logger } from '../../logger.js';
import type { DivergenceIssueSink } from '../../mirror/types.js';
import type { TargetResult } from '../../report/result.js';

/** What every kind adapter gets: the target as configured, and how this run was asked to behave. */
export interface KindContext<K extends TargetKind = TargetKind> {
  config: FerryConfig;
  target: TargetOf<K>;
  /** Repository root: the working directory of scripts, the base of every relative path. */
  root: string;
  dryRun: boolean;
  logger: Logger;
  /** Environment for scripts and git (process.env plus anything the run adds). */
  env: NodeJS.ProcessEnv;
  /** A progress line for long steps (interactive terminals only). */
  progress?: (message: string) => void;
  /**
   * The divergence-issue sink for `mirror` targets with `on_divergence: issue`, for a repository
   * and labels. The action and the CLI supply it when they have an API token (core has no GitHub
   * client); without it a divergence fails the target and opens no issue.
   */
  divergenceIssues?: DivergenceIssueFactory;
  /**
   * The GitHub pull request API for a token (`export` targets: `pull_request: true`, and closing
   * imported pull requests); supplied by the action and the CLI, undefined without a token.
   */
  pullRequests?: PullRequestApiForToken;
}

export type PullRequestApiForToken = (token: string | undefined) => ExportPullRequestApiFactory | undefined;

export type DivergenceIssueFactory = (repository: string, labels: string[]) => DivergenceIssueSink;

/**
 * One adapter per target kind: turn the target's options (typed from the schema) into the raw
 * options of the engine's resolver (the one the action and the CLI use), run it, and return the one
 * result model. Failing is a result (success: false), not an exception, so one bad target never
 * stops the others; the runner turns a thrown configuration or remote error into a failed result.
 */
export type KindAdapter<K extends TargetKind = TargetKind> = (ctx: KindContext<K>) => Promise<TargetResult>;
