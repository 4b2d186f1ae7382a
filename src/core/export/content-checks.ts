/**
 * Checks that need blob contents: symlinks that point outside the exported tree, and Git LFS
 * pointer files. They read only what they must: symlink blobs, and small changed blobs.
 */
import * as posix from 'node:path/posix';
import type { Finding } from '../report/result.js';
import { resolveLink, type LinkEnd } from './link-resolve.js';
import type { LfsPolicy, TargetTree } from './types.js';

export type ReadBlob = (oid: string) => Promise<Buffer | undefined>;

const LFS_HEADER = 'version https://git-lfs.github.com/spec/v1';
/** The LFS spec caps pointer files at 1024 bytes. */
const LFS_MAX_POINTER = 1024;
/** Header line + `oid sha256:<64 hex>` line + `size N` line. */
const LFS_MIN_POINTER = LFS_HEADER.length + 1 + 76 + 7;

/** Does any .gitattributes text route files through the LFS filter? */
export function attributesUseLfs(texts: readonly (Buffer | undefined)[]): boolean {
  return texts.some((t) => t !== undefined && /\bfilter=lfs\b/.test(t.toString('utf8')));
}

/** The directories whose .gitattributes apply to `path`: its own, up to the root (''). */
export function parentDirs(path: string): string[] {
  const out: string[] = [];
  for (let i = path.lastIndexOf('/'); i > 0; i = path.lastIndexOf('/', i - 1)) out.push(path.slice(0, i));
  out.push('');
  return out;
}

/**
 * A symlink whose target leaves the repository, or names a path the export does not contain, is
 * an error: in the public repo it would dangle or point at something never meant to be there.
 */
export async function checkSymlinks(tree: TargetTree, readBlob: ReadBlob): Promise<Finding[]> {
  // Cheap first: most trees hold no symlink, and then no directory set is built.
  let any = false;
  for (const e of tree.values()) {
    if (e.mode === '120000') {
      any = true;
      break;
    }
  }
  if (!any) return [];
  const links: LinkToCheck[] = [];
  for (const [p, e] of tree)
    if (e.mode === '120000') links.push({ path: p, oid: e.oid, sourcePath: e.sourcePath });
  const dirs = new Set<string>();
  for (const p of tree.keys()) for (let d = posix.dirname(p); d !== '.'; d = posix.dirname(d)) dirs.add(d);
  return checkLinks(links, readBlob, (r) => tree.has(r) || dirs.has(r));
}

export interface LinkToCheck {
  /** Target path of the link. */
  path: string;
  oid: string;
  sourcePath?: string;
}

/**
 * checkSymlinks over given links (every exported symlink: a link may resolve through another),
 * with `exists` answering whether a resolved path is in the exported tree (a file or a directory).
 * The incremental export passes the links it knows and answers from tree objects
 * (projection-view.ts).
 */
export async function checkLinks(
  links: readonly LinkToCheck[],
  readBlob: ReadBlob,
  exists: (resolved: string) => boolean | Promise<boolean>,
): Promise<Finding[]> {
  const texts = new Map<string, string>();
  const bodies = await Promise.all(links.map((l) => readBlob(l.oid)));
  links.forEach((l, i) => texts.set(l.path, bodies[i]?.toString('utf8') ?? ''));
  const ends = links.map((l) => resolveLink(l.path, texts));
  const found = new Map<string, boolean>();
  for (const end of ends)
    if (end.resolved && !found.has(end.resolved)) found.set(end.resolved, await exists(end.resolved));
  const findings: Finding[] = [];
  links.forEach((l, i) => {
    const f = symlinkFinding(l.path, texts.get(l.path)!, l.sourcePath, ends[i], (r) => found.get(r) ?? false);
    if (f) findings.push(f);
  });
  return findings;
}

/**
 * The finding for one exported symlink, if any: it must end inside the exported tree (through any
 * other exported links on the way) at something exported. Shared with history mode's index.
 */
export function symlinkFinding(
  p: string,
  link: string,
  sourcePath: string | undefined,
  end: LinkEnd,
  exists: (resolved: string) => boolean,
): Finding | undefined {
  if (end.resolved !== undefined && (end.resolved === '' || exists(end.resolved))) return undefined;
  return {
    severity: 'error',
    code: 'symlink-outside',
    file: sourcePath ?? p,
    message: end.escapes
      ? `Symlink ${p} -> ${link} points outside the repository (followed through the exported symlinks on its way). Remove it from the allowlist or make it relative inside the exported tree.`
      : end.loop
        ? `Symlink ${p} -> ${link} goes through more than 40 symlinks (a loop). Fix the links or leave them out of the allowlist.`
        : `Symlink ${p} -> ${link} points at ${end.resolved}, which is not exported. Export its target too, or leave the link out of the allowlist.`,
  };
}

/** Could a blob of this size be an LFS pointer at all (so worth reading for the check)? */
export function lfsPointerSized(size: number): boolean {
  return size >= LFS_MIN_POINTER && size <= LFS_MAX_POINTER;
}

const LFS_HEADER_BYTES = Buffer.from(LFS_HEADER);

/** Is this blob (of this size) a Git LFS pointer file? */
export function isLfsPointer(size: number, body: Buffer | undefined): boolean {
  return (
    lfsPointerSized(size) &&
    body !== undefined &&
    body.length >= LFS_HEADER_BYTES.length &&
    body.subarray(0, LFS_HEADER_BYTES.length).equals(LFS_HEADER_BYTES)
  );
}

export function lfsPointerFinding(c: { path: string; sourcePath?: string }, policy: LfsPolicy): Finding {
  return {
    severity: policy === 'error' ? 'error' : 'warning',
    code: 'lfs-pointer',
    file: c.sourcePath ?? c.path,
    message: `${c.path} is a Git LFS pointer: the target gets the pointer, not the file. Push the LFS objects to the target separately (git lfs push --all), or leave the file out of the allowlist. Set lfs: allow to silence this.`,
  };
}
