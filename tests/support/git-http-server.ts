import { spawn } from 'node:child_process';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';

/**
 * A loopback "GitHub" for git: `git http-backend` behind a Node HTTP server on 127.0.0.1,
 * requiring `Authorization: Basic base64(x-access-token:<token>)` the way GitHub does.
 * Repositories live under `root` as bare repos: `${url}/owner/name.git`.
 *
 * Fault switches let tests inject what real servers do: 500s, dropped connections, a
 * concurrent push landing just before a client's push is processed, and slow responses.
 */
export interface Fault {
  /**
   * Which requests: 'any', 'upload' (fetch), 'receive' (push), 'refs' (info/refs, both services),
   * 'push-refs' (only the push's ref advertisement, info/refs?service=git-receive-pack).
   */
  on: 'any' | 'upload' | 'receive' | 'refs' | 'push-refs';
  /**
   * 'refuse' (on 'receive'): git's receive-pack answers every ref of that push with
   * `[remote rejected] (<reason>)`, the words a server uses when it lost a race (through a
   * one-shot proc-receive hook, so the refusal comes from git itself).
   */
  kind: '500' | 'drop' | 'before' | '403' | '429' | 'refuse';
  /** How many matching requests to hit; default 1. */
  times?: number;
  /** For kinds 'before' and 'refuse': runs before the request is handed to git (e.g. make a concurrent push). */
  action?: () => Promise<void> | void;
  /** For kind 'refuse': the reason git reports. */
  reason?: string;
}

export interface RequestLog {
  method: string;
  url: string;
  authorized: boolean;
  status: number;
}

export class GitHttpServer {
  readonly root: string;
  token: string;
  url = '';
  readonly requests: RequestLog[] = [];
  /**
   * Runs before each authorized request with the repository's `owner/name` (the loopback GitHub
   * API uses it to move `refs/pull/N/head` along with pushes to pull request branches).
   */
  beforeRequest?: (full: string) => void | Promise<void>;
  private faults: (Fault & { left: number })[] = [];
  private server?: http.Server;

  constructor(root: string, token: string) {
    this.root = root;
    this.token = token;
  }

  async start(): Promise<string> {
    await fs.mkdir(this.root, { recursive: true });
    this.server = http.createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((r) => this.server!.listen(0, '127.0.0.1', r));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this.url;
  }

  async stop(): Promise<void> {
    if (!this.server) return;
    this.server.closeAllConnections?.();
    await new Promise<void>((r) => this.server!.close(() => r()));
    this.server = undefined;
  }

  /** Bare repo path for owner/name (created empty when `create`). */
  async repo(full: string, create = true): Promise<string> {
    const dir = path.join(this.root, `${full}.git`);
    if (create) {
      await fs.mkdir(dir, { recursive: true });
      await new Promise<void>((res, rej) => {
        const p = spawn('git', ['init', '-q', '--bare', '-b', 'main', dir]);
        p.on('close', (c) => (c === 0 ? res() : rej(new Error(`git init ${c}`))));
      });
    }
    return dir;
  }

  repoUrl(full: string): string {
    return `${this.url}/${full}.git`;
  }

  inject(f: Fault): void {
    this.faults.push({ ...f, left: f.times ?? 1 });
  }

  clearFaults(): void {
    this.faults = [];
  }

  private classify(req: http.IncomingMessage): Fault['on'] {
    const u = req.url ?? '';
    if (u.includes('/info/refs')) return u.includes('service=git-receive-pack') ? 'push-refs' : 'refs';
    if (u.endsWith('/git-upload-pack')) return 'upload';
    if (u.endsWith('/git-receive-pack')) return 'receive';
    return 'any';
  }

  private takeFault(req: http.IncomingMessage): Fault | undefined {
    const kind = this.classify(req);
    const f = this.faults.find(
      (x) => x.left > 0 && (x.on === 'any' || x.on === kind || (x.on === 'refs' && kind === 'push-refs')),
    );
    if (f) f.left--;
    return f;
  }

  /**
   * Make the repository behind `pathInfo` refuse its next push with `reason`: a proc-receive hook
   * answers `ng <ref> <reason>` for every ref, then removes itself and its config.
   */
  private async refuseNextPush(pathInfo: string, reason: string): Promise<void> {
    const repo = path.join(this.root, pathInfo.replace(/\.git\/.*$/, '.git'));
    const hook = path.join(repo, 'hooks', 'proc-receive');
    await fs.mkdir(path.dirname(hook), { recursive: true });
    await fs.writeFile(hook, PROC_RECEIVE_REFUSAL.replace('REASON', JSON.stringify(reason)), { mode: 0o755 });
    await new Promise<void>((res, rej) => {
      const p = spawn('git', ['--git-dir', repo, 'config', 'receive.procReceiveRefs', 'refs/']);
      p.on('close', (c) => (c === 0 ? res() : rej(new Error(`git config ${c}`))));
    });
  }

  private authorized(req: http.IncomingMessage): boolean {
    const h = req.headers.authorization ?? '';
    const m = /^basic\s+(.+)$/i.exec(h);
    if (!m) return false;
    const [user, pass] = Buffer.from(m[1], 'base64').toString().split(':');
    return pass === this.token && user.length > 0;
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const log: RequestLog = { method: req.method ?? '', url: req.url ?? '', authorized: false, status: 0 };
    this.requests.push(log);
    log.authorized = this.authorized(req);
    if (!log.authorized) {
      log.status = 401;
      res.writeHead(401, { 'WWW-Authenticate': 'Basic realm="GitHub"' });
      res.end('Unauthorized');
      return;
    }
    const fault = this.takeFault(req);
    if (fault?.kind === '500') {
      log.status = 500;
      req.resume();
      res.writeHead(500).end('Internal Server Error');
      return;
    }
    if (fault?.kind === '403' || fault?.kind === '429') {
      log.status = Number(fault.kind);
      req.resume();
      res.writeHead(log.status, { 'Retry-After': '1' }).end('rate limited');
      return;
    }
    if (fault?.kind === 'drop') {
      log.status = -1;
      req.socket.destroy();
      return;
    }
    if ((fault?.kind === 'before' || fault?.kind === 'refuse') && fault.action) await fault.action();
    const u = new URL(req.url ?? '/', 'http://x');
    const full = /^\/(.+?)\.git\//.exec(decodeURIComponent(u.pathname))?.[1];
    if (full && this.beforeRequest) await this.beforeRequest(full);
    if (fault?.kind === 'refuse')
      await this.refuseNextPush(decodeURIComponent(u.pathname), fault.reason ?? 'refused');
    const env: NodeJS.ProcessEnv = {
      PATH: process.env.PATH,
      GIT_PROJECT_ROOT: this.root,
      GIT_HTTP_EXPORT_ALL: '1',
      PATH_INFO: decodeURIComponent(u.pathname),
      QUERY_STRING: u.search.replace(/^\?/, ''),
      REQUEST_METHOD: req.method,
      CONTENT_TYPE: req.headers['content-type'] ?? '',
      REMOTE_USER: 'x-access-token',
      REMOTE_ADDR: '127.0.0.1',
      GIT_CONFIG_COUNT: '1',
      GIT_CONFIG_KEY_0: 'http.receivepack',
      GIT_CONFIG_VALUE_0: 'true',
    };
    if (req.headers['content-encoding']) env.HTTP_CONTENT_ENCODING = String(req.headers['content-encoding']);
    if (req.headers['git-protocol']) env.GIT_PROTOCOL = String(req.headers['git-protocol']);
    if (req.headers['content-length']) env.CONTENT_LENGTH = String(req.headers['content-length']);
    const cgi = spawn('git', ['http-backend'], { env });
    req.pipe(cgi.stdin);
    cgi.stdin.on('error', () => undefined);
    let headerDone = false;
    let buf = Buffer.alloc(0);
    cgi.stdout.on('data', (chunk: Buffer) => {
      if (headerDone) {
        res.write(chunk);
        return;
      }
      buf = Buffer.concat([buf, chunk]);
      let sep = buf.indexOf('\r\n\r\n');
      let sepLen = 4;
      if (sep < 0) {
        sep = buf.indexOf('\n\n');
        sepLen = 2;
      }
      if (sep < 0) return;
      const head = buf.subarray(0, sep).toString();
      const body = buf.subarray(sep + sepLen);
      let status = 200;
      const headers: Record<string, string> = {};
      for (const line of head.split(/\r?\n/)) {
        const i = line.indexOf(':');
        const k = line.slice(0, i).trim();
        const v = line.slice(i + 1).trim();
        if (k.toLowerCase() === 'status') status = parseInt(v, 10);
        else headers[k] = v;
      }
      log.status = status;
      res.writeHead(status, headers);
      headerDone = true;
      if (body.length) res.write(body);
    });
    cgi.stderr.resume();
    cgi.on('close', () => {
      if (!headerDone) {
        log.status = 500;
        res.writeHead(500).end();
      } else res.end();
    });
  }
}

/** git's proc-receive protocol (githooks(5)): negotiate version 1, read the commands, refuse each. */
const PROC_RECEIVE_REFUSAL = `#!/usr/bin/env node
const fs = require('node:fs');
const { execFileSync } = require('node:child_process');
const readN = (n) => {
  const b = Buffer.alloc(n);
  for (let got = 0; got < n; ) got += fs.readSync(0, b, got, n - got, null);
  return b;
};
const read = () => {
  const n = parseInt(readN(4).toString(), 16);
  return n ? readN(n - 4).toString() : '';
};
const write = (s) => fs.writeSync(1, (Buffer.byteLength(s) + 4).toString(16).padStart(4, '0') + s);
while (read() !== '');
write('version=1\\0');
fs.writeSync(1, '0000');
const refs = [];
for (let p = read(); p; p = read()) refs.push(p.trim().split(' ')[2]);
for (const r of refs) write('ng ' + r + ' ' + REASON + '\\n');
fs.writeSync(1, '0000');
execFileSync('git', ['config', '--unset', 'receive.procReceiveRefs']);
fs.rmSync(__filename);
`;
