/**
 * The sync log: one JSON object a line, appended beside the state file, saying what was done,
 * in which direction and why. Buffered and flushed every 500 lines or second, so a 100k-file
 * first sync does not pay one write per file; a killed sync loses at most that last buffer.
 * The file is opened once, before anything is synced, and never through a link (own-files.ts).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { openOwnFileForAppend } from './own-files.js';

export interface LogLine {
  op: string;
  path?: string;
  direction?: 'a->b' | 'b->a' | 'a' | 'b';
  why?: string;
  ok?: boolean;
  bytes?: number;
  error?: string;
  [extra: string]: unknown;
}

export class SyncLog {
  private buf: string[] = [];
  private last = Date.now();
  private readonly fd: number | undefined;

  /** No file: a log that writes nothing (a sync with nothing to say). */
  constructor(
    readonly file: string | undefined,
    private readonly now: () => Date,
  ) {
    if (!file) return;
    fs.mkdirSync(path.dirname(file), { recursive: true });
    this.fd = openOwnFileForAppend(file, 'sync log', { create: true });
  }

  write(line: LogLine): void {
    if (this.fd === undefined) return;
    this.buf.push(JSON.stringify({ time: this.now().toISOString(), ...line }));
    if (this.buf.length >= 500 || Date.now() - this.last > 1000) this.flush();
  }

  flush(): void {
    if (this.fd === undefined || this.buf.length === 0) return;
    fs.writeSync(this.fd, this.buf.join('\n') + '\n');
    this.buf = [];
    this.last = Date.now();
  }

  close(): void {
    this.flush();
    if (this.fd !== undefined) fs.closeSync(this.fd);
  }
}
