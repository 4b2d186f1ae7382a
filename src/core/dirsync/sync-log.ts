/**
 * The sync log: one JSON object a line, appended beside the state file, saying what was done,
 * in which direction and why. Buffered and flushed every 500 lines or second, so a 100k-file
 * first sync does not pay one write per file; a killed sync loses at most that last buffer.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

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

  constructor(
    readonly file: string | undefined,
    private readonly now: () => Date,
  ) {
    if (file) fs.mkdirSync(path.dirname(file), { recursive: true });
  }

  write(line: LogLine): void {
    if (!this.file) return;
    this.buf.push(JSON.stringify({ time: this.now().toISOString(), ...line }));
    if (this.buf.length >= 500 || Date.now() - this.last > 1000) this.flush();
  }

  flush(): void {
    if (!this.file || this.buf.length === 0) return;
    fs.appendFileSync(this.file, this.buf.join('\n') + '\n');
    this.buf = [];
    this.last = Date.now();
  }
}
