/**
 * Pure planning for the mirror: which branches and tags to look at, what state each branch is in,
 * and which pushes follow. The git side (mirror.ts) gathers the facts and applies the plan.
 */
import { createHash } from 'node:crypto';
import { globSetMatcher, literalOf } from '../allowlist/glob.js';
import type { BranchState, TagMode } from './types.js';

export const HEADS = 'refs/heads/';
export const TAGS = 'refs/tags/';

/** Facts about one branch: tips on each side and the ancestry between them. */
export interface BranchFacts {
  a: string | null;
  b: string | null;
  /** a is an ancestor of b (only asked when both exist and differ). */
  aInB?: boolean;
  /** b is an ancestor of a. */
  bInA?: boolean;
}

export function classifyBranch(f: BranchFacts): BranchState {
  if (f.a === null && f.b === null) throw new Error('classifyBranch: branch missing on both sides');
  if (f.a === null) return 'missing-in-a';
  if (f.b === null) return 'missing-in-b';
  if (f.a === f.b) return 'equal';
  if (f.bInA) return 'a-ahead';
  if (f.aInB) return 'b-ahead';
  return 'diverged';
}

/** The push a state calls for: which side receives which side's tip. */
export function pushFor(state: BranchState): { to: 'a' | 'b'; from: 'a' | 'b' } | undefined {
  if (state === 'a-ahead' || state === 'missing-in-b') return { to: 'b', from: 'a' };
  if (state === 'b-ahead' || state === 'missing-in-a') return { to: 'a', from: 'b' };
  return undefined;
}

/**
 * A predicate for ref names (branch or tag names) in Ferry's glob dialect. Unlike path lists, a
 * literal means exactly that name: `main` must not also select `main/experiment`.
 */
export function refNameMatcher(patterns: readonly string[]): (name: string) => boolean {
  const exact = new Set<string>();
  const globs: string[] = [];
  for (const p of patterns) {
    const lit = literalOf(p.replace(/^refs\/(heads|tags)\//, ''));
    if (lit !== undefined) exact.add(lit);
    else globs.push(p);
  }
  const matches = globSetMatcher(globs);
  return (name) => exact.has(name) || matches(name);
}

/** Branch names (without refs/heads/) from ls-remote output matching the user's names/globs. */
export function matchBranches(refs: ReadonlyMap<string, string>, patterns: readonly string[]): string[] {
  const matches = refNameMatcher(patterns);
  const out: string[] = [];
  for (const ref of refs.keys())
    if (ref.startsWith(HEADS) && matches(ref.slice(HEADS.length))) out.push(ref.slice(HEADS.length));
  return out;
}

/** The union of matching branch names on both sides, sorted. */
export function branchUnion(
  a: ReadonlyMap<string, string>,
  b: ReadonlyMap<string, string>,
  patterns: readonly string[],
): string[] {
  return [...new Set([...matchBranches(a, patterns), ...matchBranches(b, patterns)])].sort();
}

/** Tag refs (name → object id) selected by the tag mode; peeled `^{}` lines are dropped. */
export function selectTags(refs: ReadonlyMap<string, string>, mode: TagMode): Map<string, string> {
  const out = new Map<string, string>();
  if (mode.kind === 'none') return out;
  const matches = mode.kind === 'all' ? () => true : refNameMatcher(mode.globs);
  for (const [ref, sha] of refs) {
    if (!ref.startsWith(TAGS) || ref.endsWith('^{}')) continue;
    const name = ref.slice(TAGS.length);
    if (matches(name)) out.set(name, sha);
  }
  return out;
}

export interface TagPlan {
  /** Tags to create on B (present only on A), and on A. */
  toB: string[];
  toA: string[];
  /** Same name, different objects: reported, never overwritten. */
  conflicts: { tag: string; a: string; b: string }[];
  equal: number;
}

export function planTags(a: ReadonlyMap<string, string>, b: ReadonlyMap<string, string>): TagPlan {
  const plan: TagPlan = { toB: [], toA: [], conflicts: [], equal: 0 };
  for (const [tag, sha] of a) {
    const other = b.get(tag);
    if (other === undefined) plan.toB.push(tag);
    else if (other === sha) plan.equal++;
    else plan.conflicts.push({ tag, a: sha, b: other });
  }
  for (const tag of b.keys()) if (!a.has(tag)) plan.toA.push(tag);
  plan.toA.sort();
  plan.toB.sort();
  plan.conflicts.sort((x, y) => x.tag.localeCompare(y.tag));
  return plan;
}

/** Parse the tags input: `none`, `all`, or one or more globs (comma or newline separated). */
export function parseTagMode(text: string): TagMode {
  const t = text.trim();
  if (t === '' || t === 'none' || t === 'false') return { kind: 'none' };
  if (t === 'all' || t === 'true' || t === '*' || t === '**') return { kind: 'all' };
  const globs = t
    .split(/[\n,]/)
    .map((s) => s.trim())
    .filter(Boolean);
  return { kind: 'pattern', globs };
}

/**
 * A digest of what diverged: both tips and the merge base. New commits on either side change a tip,
 * so the digest changes exactly when the issue deserves a new comment.
 */
export function divergenceFingerprint(a: string | null, b: string | null, mergeBase: string | null): string {
  return createHash('sha256')
    .update(`${a ?? ''}\n${b ?? ''}\n${mergeBase ?? ''}`)
    .digest('hex')
    .slice(0, 16);
}
