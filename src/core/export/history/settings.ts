/**
 * History mode's own options. They hang off `ExportSettings.history`; snapshot mode
 * ignores them. All optional: the defaults replay messages and authors unchanged.
 */
export interface HistoryOptions {
  /** Regexes (JavaScript syntax, multiline flag): a message line matching any of them is dropped. */
  scrubLines?: readonly string[];
  /** Regexes: a message matching any of them is replaced as a whole by `scrubTemplate`. */
  scrubMessages?: readonly string[];
  /** Replacement for scrubbed messages: `{sha}`, `{short_sha}`, `{source_repo}` and vars. */
  scrubTemplate?: string;
  /** A mailmap-style file mapping source authors to the identity shown publicly. */
  authorMapFile?: string;
  /** Already loaded author-map text (wins over authorMapFile; used by tests and the runner). */
  authorMapText?: string;
  /**
   * Keep merge commits of the first-parent line whose side branch also changes something selected:
   * the side line is replayed too and the merge gets two parents (see merges.ts). Default false:
   * merges are linearized (one commit with the merge's diff against its first parent).
   */
  keepMerges?: boolean;
  /**
   * Source commits (full or abbreviated ids) whose own mass deletion passes the per-commit guard
   * (a restructuring commit); every other commit is still held to max-delete-ratio.
   */
  allowMassDeleteCommits?: readonly string[];
  /**
   * Start without listing any tree when the target tip allows it (quick-start.ts). Default true;
   * false always takes the full start (tests compare both; a debugging switch, not a user input).
   */
  quickStart?: boolean;
}

export const DEFAULT_SCRUB_TEMPLATE = 'Internal change {short_sha}';

/**
 * `since` value that replays the whole first-parent history from the root commit instead of
 * starting with one snapshot commit.
 */
export const SINCE_ROOT = 'root';

/** Ref the replay writes in the scratch repo (never pushed under this name). */
export const HISTORY_REF = 'refs/ferry/history';
