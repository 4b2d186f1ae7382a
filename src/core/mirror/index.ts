/**
 * The bilateral mirror engine. Entry point for adapters and the config runner:
 * `runMirror(settings, logger, issues?)` → one TargetResult per branch (+ one for tags).
 */
export { runMirror } from './mirror.js';
export * from './types.js';
export {
  classifyBranch,
  pushFor,
  branchUnion,
  matchBranches,
  refNameMatcher,
  selectTags,
  planTags,
  parseTagMode,
  divergenceFingerprint,
  type BranchFacts,
  type TagPlan,
} from './analyze.js';
export {
  issueMarker,
  parseIssueMarker,
  sameKey,
  withMarker,
  issueTitle,
  divergenceMarkdown,
  resolvedMarkdown,
  changedMarkdown,
} from './report.js';
export { BRANCH_KIND, TAGS_KIND, type BranchOutcome } from './results.js';
export { mirrorSettings, type MirrorInput } from './settings.js';
export { mirrorDetailsMarkdown } from './summary.js';
