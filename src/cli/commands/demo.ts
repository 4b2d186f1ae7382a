import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { GitCommandManager } from '../../core/git/git-command-manager.js';
import { COMMON_OPTIONS, str, type Command } from '../command.js';
import { allowlistCheck, allowlistLs } from './allowlist.js';

const DEMO_FILES: Record<string, string> = {
  'README.md': '# Demo monorepo\n',
  LICENSE: 'MIT\n',
  'src/core/engine.py': 'def run():\n    return 1\n',
  'src/core/ml/model.py': 'PREMIUM = True\n',
  'src/cli/main.py': 'from core.engine import run\n',
  'src/premium/billing.py': 'SECRET_SAUCE = 42\n',
  '.env': 'API_KEY=do-not-ship\n',
  'docs/guide.md': '# Guide\n',
  'docs/internal_roadmap.md': '# Roadmap\n',
};

const DEMO_ALLOWLIST = `# public (free) part of the demo monorepo
README.md
LICENSE
src/core/
src/cli/**
docs/*.md

# premium parts stay private
!src/core/ml/
!docs/internal_*.md
`;

/** Creates a small private monorepo under DIR and shows what Ferry would publish from it. */
export const demoCommand: Command = {
  name: 'demo',
  summary: 'Build local demo repos and run Ferry on them (no GitHub needed)',
  usage: 'ferry demo [--dir DIR]',
  options: { ...COMMON_OPTIONS, dir: { type: 'string' } },
  async run(args, ctx) {
    const dir = path.resolve(str(args, 'dir') ?? '.ferry-demo');
    await fs.rm(dir, { recursive: true, force: true });
    const repo = path.join(dir, 'monorepo');
    for (const [p, c] of Object.entries(DEMO_FILES)) {
      await fs.mkdir(path.dirname(path.join(repo, p)), { recursive: true });
      await fs.writeFile(path.join(repo, p), c);
    }
    const allowlist = path.join(dir, 'public_allowlist.txt');
    await fs.writeFile(allowlist, DEMO_ALLOWLIST);
    const git = new GitCommandManager(repo);
    await git.exec(['init', '-q', '-b', 'main']);
    await git.exec(['add', '-A']);
    await git.exec([
      '-c',
      'user.name=Ferry Demo',
      '-c',
      'user.email=demo@ferry.invalid',
      'commit',
      '-q',
      '-m',
      'Initial import',
    ]);
    ctx.out(
      `Demo monorepo: ${repo}\nAllowlist: ${allowlist}\n\n$ ferry allowlist ls --allowlist ${allowlist} --repo ${repo}\n`,
    );
    const common = { json: undefined, allowlist, repo };
    await allowlistLs.run({ values: common, positionals: [] }, ctx);
    ctx.out(`\n$ ferry allowlist check --allowlist ${allowlist} --repo ${repo}\n`);
    const code = await allowlistCheck.run({ values: common, positionals: [] }, ctx);
    ctx.out(code === 0 ? 'allowlist check: no findings\n' : '');
    return 0;
  },
};
