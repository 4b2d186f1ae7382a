export {
  createGitHubClient,
  explainApiError,
  testTiming,
  DEFAULT_API_URL,
  type GitHubClient,
  type GitHubClientOptions,
} from './client.js';
export {
  divergenceIssueFactory,
  GitHubDivergenceIssues,
  type DivergenceIssueOptions,
} from './divergence-issues.js';
