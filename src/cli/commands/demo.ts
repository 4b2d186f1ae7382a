import { existsSync, promises as fs } from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ConfigurationError } from '../../core/errors.js';
import { GitCommandManager } from '../../core/git/git-command-manager.js';
import { COMMON_OPTIONS, EXIT_OK, str, type CliContext, type Command } from '../command.js';
import { listCommand } from './list.js';
import { runCommand } from './run.js';
import { statusCommand } from './status.js';
import { workflowsCommand } from './workflows.js';

/**
 * `ferry demo`: the README's main-job demo. Builds a private monorepo and the repos it syncs to as
 * local bare repos under DIR, copies examples/ferry.yml into it, and runs `ferry run` twice (the
 * second run shows that nothing changes), then `ferry status` and `ferry workflows --write`.
 * GITHUB_SERVER_URL points at DIR/remotes, so `acme/name` in the config means DIR/remotes/acme/name.git,
 * exactly as it would mean a repo on GitHub or GHES.
 */
const MONOREPO: Record<string, string> = {
  'README.md': '# Acme monorepo\n\nFree core, premium packages, one ferry.yml.\n',
  LICENSE: 'MIT License\n',
  '.gitignore': '.ferry/\n',
  'src/core/engine.py': 'def run():\n    return 1\n',
  'src/cli/main.py': 'from core.engine import run\n\nprint(run())\n',
  'src/premium/billing.py': 'def price(plan):\n    return {"pro": 42}.get(plan, 0)\n',
  'docs/guide.md': '# Guide\n',
  'docs/internal_roadmap.md': '# Roadmap (internal)\n',
  'public_allowlist.txt':
    '# the free edition\nREADME.md\nLICENSE\nsrc/core/\nsrc/cli/\ndocs/*.md\n\n# never public\n!docs/internal_*.md\n',
  'allowlists/custom_package_allowlist.txt': '# what every customer gets\nREADME.md\nsrc/premium/\n',
  'fixtures/apps-api.json':
    JSON.stringify({ apps: [{ name: 'web' }, { name: 'api' }, { name: 'worker' }] }) + '\n',
  'wiki/README.md': '# Acme wiki\n\nStart with [Getting started](Getting-Started.md).\n',
  'wiki/Getting-Started.md': '# Getting started\n\nInstall, then run.\n',
  'wiki/internal/Roadmap.md': '# Roadmap\n\nInternal only.\n',
  'wiki_public_allowlist.txt': 'README.md\nGetting-Started.md\n',
  'staging/notes.txt': 'staging notes\n',
};

const PULL_SCRIPT = `#!/usr/bin/env bash
# Pretend API call: read the "deployment API" fixture named in the target's config, write the truth file.
set -euo pipefail
src=$(node -e 'console.log(JSON.parse(process.env.FERRY_TARGET_CONFIG).source)')
mkdir -p docs/runtime
node -e '
const fs = require("fs");
const apps = JSON.parse(fs.readFileSync(process.argv[1], "utf8")).apps;
apps.sort((a, b) => a.name.localeCompare(b.name));
fs.writeFileSync(process.argv[2], JSON.stringify({ apps }, null, 2) + "\\n");
' "$src" docs/runtime/apps_truth.json
echo "apps_truth: $(grep -c '"name"' docs/runtime/apps_truth.json) apps"
`;

const IDENTITY = ['-c', 'user.name=Ferry Demo', '-c', 'user.email=demo@ferry.invalid'];

/** examples/ferry.yml of this checkout, found from the bundle (dist/cli) or the sources. */
function exampleConfig(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 5; i++) {
    const f = path.join(dir, 'examples', 'ferry.yml');
    if (existsSync(f)) return f;
    dir = path.dirname(dir);
  }
  throw new ConfigurationError(
    'examples/ferry.yml not found: run the demo from a Ferry checkout, or pass --config FILE.',
  );
}

async function write(root: string, files: Record<string, string>, mode?: number): Promise<void> {
  for (const [p, c] of Object.entries(files)) {
    await fs.mkdir(path.dirname(path.join(root, p)), { recursive: true });
    await fs.writeFile(path.join(root, p), c, mode ? { mode } : undefined);
  }
}

async function bare(dir: string, firstPage?: string): Promise<void> {
  const git = new GitCommandManager(path.dirname(dir));
  await git.exec(['init', '-q', '--bare', '-b', 'main', dir]);
  if (!firstPage) return;
  // A GitHub wiki exists only once its first page was saved: give the demo wikis one.
  const work = `${dir}-seed`;
  await write(work, { 'Home.md': firstPage });
  const w = new GitCommandManager(work);
  await w.exec(['init', '-q', '-b', 'main']);
  await w.exec(['add', '-A']);
  await w.exec([...IDENTITY, 'commit', '-q', '-m', 'Initial Home page']);
  await w.exec(['push', '-q', dir, 'main']);
  await fs.rm(work, { recursive: true, force: true });
}

export const demoCommand: Command = {
  name: 'demo',
  summary: 'Build local demo repos and run ferry.yml (examples/ferry.yml) against them: no GitHub needed',
  usage: 'ferry demo [--dir DIR] [--config FILE]',
  options: {
    ...COMMON_OPTIONS,
    dir: { type: 'string', arg: 'DIR', help: 'Where the demo repos go (default .ferry-demo).' },
    config: { type: 'string', arg: 'FILE', help: 'The ferry.yml to run (default examples/ferry.yml).' },
  },
  async run(args, ctx) {
    const dir = path.resolve(ctx.cwd, str(args, 'dir') ?? '.ferry-demo');
    const example = str(args, 'config') ? path.resolve(ctx.cwd, str(args, 'config')!) : exampleConfig();
    await fs.rm(dir, { recursive: true, force: true });
    const remotes = path.join(dir, 'remotes', 'acme');
    await fs.mkdir(remotes, { recursive: true });
    for (const r of ['ferry-demo-public', 'ferry-demo-public-twin', 'ferry-demo-globex-sdk'])
      await bare(path.join(remotes, `${r}.git`));
    await bare(path.join(remotes, 'ferry-demo.wiki.git'), '# Private wiki\n');
    await bare(path.join(remotes, 'ferry-demo-public.wiki.git'), '# Public wiki\n');
    await write(path.join(dir, 'shared-drive'), { 'budget.csv': 'item,amount\nservers,1200\n' });

    const repo = path.join(dir, 'monorepo');
    await write(repo, { ...MONOREPO, '.github/ferry.yml': await fs.readFile(example, 'utf8') });
    await write(repo, { 'scripts/apps-truth-sync.sh': PULL_SCRIPT }, 0o755);
    const git = new GitCommandManager(repo);
    await git.exec(['init', '-q', '-b', 'main']);
    await git.exec(['add', '-A']);
    await git.exec([...IDENTITY, 'commit', '-q', '-m', 'Initial import']);
    await git.exec(['config', 'user.name', 'Ferry Demo']);
    await git.exec(['config', 'user.email', 'demo@ferry.invalid']);

    // `acme/name` → DIR/remotes/acme/name.git, the way GHES users point GITHUB_SERVER_URL elsewhere.
    process.env.GITHUB_SERVER_URL = `file://${path.join(dir, 'remotes')}`;
    const here: CliContext = { ...ctx, cwd: repo };
    const step = async (cmd: Command, argv: Record<string, string | boolean>, shown: string) => {
      ctx.out(`\n$ ${shown}\n`);
      return cmd.run({ values: { config: '.github/ferry.yml', ...argv }, positionals: [] }, here);
    };
    ctx.out(
      `Demo monorepo: ${repo}\nRemotes (GITHUB_SERVER_URL=${process.env.GITHUB_SERVER_URL}): ${remotes}\nConfig: ${example} → .github/ferry.yml\n`,
    );
    await step(listCommand, {}, 'ferry list');
    const report = path.join(dir, 'ferry-report.json');
    const first = await step(runCommand, { verify: true, report }, `ferry run --verify --report ${report}`);
    const second = await step(
      runCommand,
      { verify: true },
      'ferry run --verify   # again: nothing left to do',
    );
    await step(workflowsCommand, { write: true }, 'ferry workflows --write');
    await step(statusCommand, {}, 'ferry status');
    ctx.out(
      `\nThe JSON report is ${report}. Look around: cd ${repo} && git log --stat; ` +
        `git --git-dir ${path.join(remotes, 'ferry-demo-public.git')} ls-tree -r --name-only main\n`,
    );
    return first !== EXIT_OK ? first : second;
  },
};
