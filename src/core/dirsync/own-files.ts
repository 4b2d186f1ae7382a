/**
 * Ferry's own files (the state, its journal, the sync log, their temp files) are never written
 * through a symbolic link. The default ones sit inside side B, which anyone who may change the
 * synced files can also change: a link planted at `B/.ferry-dirsync-log.jsonl` must not make
 * Ferry append to a file outside both trees. settings.ts refuses such a link up front; here
 * every open uses O_NOFOLLOW (a link at the final name fails with ELOOP) and temp files O_EXCL,
 * so a link planted during the sync cannot redirect a write either.
 */
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ConfigurationError } from '../errors.js';
import { errCode } from './scan.js';

const { O_WRONLY, O_RDWR, O_APPEND, O_CREAT, O_EXCL, O_NOFOLLOW } = fs.constants;

/** The error for one of our files that is (or became) a symbolic link. */
export function linkRefusal(file: string, what: string): ConfigurationError {
  return new ConfigurationError(
    `The dirsync ${what} ${file} is a symbolic link: Ferry never writes its own files through a link ` +
      '(it could lead outside both trees). Remove the link (Ferry then writes a new file), or pass another --state.',
  );
}

/** Open one of our files for appending (created if missing); a link at its name is refused. */
export function openOwnFileForAppend(file: string, what: string, opts: { create: boolean }): number {
  try {
    return fs.openSync(file, (opts.create ? O_WRONLY | O_CREAT : O_RDWR) | O_APPEND | O_NOFOLLOW, 0o644);
  } catch (e) {
    if (errCode(e) === 'ELOOP') throw linkRefusal(file, what);
    throw e;
  }
}

/** Write one of our files whole: a new temp file beside it (O_EXCL, so never a link), then rename. */
export function writeOwnFileAtomic(file: string, data: string): void {
  const dir = path.dirname(file);
  fs.mkdirSync(dir, { recursive: true });
  const tmp = path.join(
    dir,
    `.${path.basename(file)}.ferry-tmp-${process.pid}-${randomBytes(4).toString('hex')}`,
  );
  const fd = fs.openSync(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW, 0o644);
  try {
    try {
      fs.writeFileSync(fd, data);
    } finally {
      fs.closeSync(fd);
    }
    // rename replaces whatever holds the name, a link included, and never writes through it.
    fs.renameSync(tmp, file);
  } catch (e) {
    fs.rmSync(tmp, { force: true });
    throw e;
  }
}
