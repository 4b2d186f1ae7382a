import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { ConfigurationError, ConfigurationErrors } from '../../src/core/errors.js';
import { parseConfig } from '../../src/core/config/load.js';
import { FERRY_SCHEMA } from '../../src/core/config/schema.js';
import { cronError } from '../../src/core/config/cron.js';
import { REPO_ROOT } from '../support/run-action.js';
import { loadSchemaValidator } from '../../src/core/config/validate.js';

// parseConfig is synchronous: its schema validator is loaded first (loadConfig awaits it).
await loadSchemaValidator();

const OK = `version: "1"
defaults:
  direction: pull
targets:
  apps_truth:
    description: Pull live app truth
    entrypoint: scripts/apps-truth.sh
    schedule: "0 */6 * * *"
    outputs:
      - docs/runtime/apps_truth.json
    verification:
      command: test -f docs/runtime/apps_truth.json
      expected_exit_code: 0
  public:
    kind: export
    direction: push
    repo: acme/public
    allowlist: public_allowlist.txt
`;

function errorsOf(text: string): ConfigurationError[] {
  try {
    parseConfig(text, 'ferry.yml');
  } catch (e) {
    if (e instanceof ConfigurationErrors) return e.errors;
    if (e instanceof ConfigurationError) return [e];
    throw e;
  }
  throw new Error('expected a ConfigurationError');
}

/** The single error a config produces: its message and line. */
function oneError(text: string): { message: string; line?: number } {
  const errs = errorsOf(text);
  expect(errs).toHaveLength(1);
  return { message: errs[0].message, line: errs[0].location?.line };
}

describe('ferry.yml loading', () => {
  test('a valid config loads with defaults applied', () => {
    const cfg = parseConfig(OK, 'ferry.yml');
    expect(cfg.targets.map((t) => [t.name, t.kind, t.direction])).toEqual([
      ['apps_truth', 'command', 'pull'],
      ['public', 'export', 'push'],
    ]);
    expect(cfg.targets[0].kind === 'command' && cfg.targets[0].options.entrypoint).toBe(
      'scripts/apps-truth.sh',
    );
    expect(cfg.targets[0].where.line).toBe(5);
    expect(cfg.targets[1].commit).toBe(true);
    expect(cfg.defaults.push).toBe(false);
  });

  test('unknown target key: file:line:column and did-you-mean', () => {
    const e = oneError(OK.replace('    outputs:', '    ouptuts:'));
    expect(e.line).toBe(9);
    expect(e.message).toMatch(
      /^ferry\.yml:9:5: unknown key 'ouptuts' in 'targets\.apps_truth'\. Did you mean 'outputs'\?/,
    );
  });

  test('unknown key of an export target suggests an export option', () => {
    const e = oneError(OK.replace('    allowlist: public', '    alowlist: public'));
    expect(e.line).toBe(18);
    expect(e.message).toContain("Did you mean 'allowlist'?");
  });

  test('unknown top-level key', () => {
    const e = oneError(OK.replace('defaults:', 'defualts:'));
    expect(e.line).toBe(2);
    expect(e.message).toContain("unknown key 'defualts' in the top level. Did you mean 'defaults'?");
  });

  test('bad direction names the allowed values', () => {
    const e = oneError(OK.replace('    direction: push', '    direction: psuh'));
    expect(e.line).toBe(16);
    expect(e.message).toContain(
      "'targets.public.direction' is 'psuh'; expected one of pull, push, bidirectional. Did you mean 'push'?",
    );
  });

  test('unknown kind', () => {
    const e = oneError(OK.replace('kind: export', 'kind: exprot'));
    expect(e.line).toBe(15);
    expect(e.message).toMatch(
      /expected one of command, export, mirror, wiki, dirsync\. Did you mean 'export'\?/,
    );
  });

  test('invalid cron', () => {
    const e = oneError(OK.replace('"0 */6 * * *"', '"0 25 * * *"'));
    expect(e.line).toBe(8);
    expect(e.message).toContain('hour 25 is out of range 0-23');
  });

  test('cron with the wrong number of fields', () => {
    const e = oneError(OK.replace('"0 */6 * * *"', '"0 2 * *"'));
    expect(e.line).toBe(8);
    expect(e.message).toContain('has 4 fields; expected 5');
  });

  test('.. in a path is rejected', () => {
    const e = oneError(OK.replace('scripts/apps-truth.sh', '../outside.sh'));
    expect(e.line).toBe(7);
    expect(e.message).toContain("'..' in '../outside.sh': paths must stay inside the repository");
  });

  test('absolute output glob is rejected', () => {
    const e = oneError(OK.replace('- docs/runtime/apps_truth.json', '- /etc/passwd'));
    expect(e.line).toBe(10);
    expect(e.message).toContain("absolute path '/etc/passwd'");
  });

  test('missing required key', () => {
    const e = oneError(OK.replace('    repo: acme/public\n', ''));
    expect(e.line).toBe(14);
    expect(e.message).toContain("'targets.public' is missing the required key 'repo'");
  });

  test('wrong type', () => {
    const e = oneError(OK.replace('expected_exit_code: 0', 'expected_exit_code: zero'));
    expect(e.line).toBe(13);
    expect(e.message).toContain(
      "'targets.apps_truth.verification.expected_exit_code' must be integer, got string",
    );
  });

  test('bad target name', () => {
    const e = oneError(OK.replace('  public:', '  "my target":'));
    expect(e.line).toBe(14);
    expect(e.message).toContain("target name 'my target' may only contain");
  });

  test('invalid YAML', () => {
    const e = errorsOf(OK.replace('    description: Pull', '   description: Pull'))[0];
    expect(e.message).toMatch(/^ferry\.yml:\d+:\d+: invalid YAML/);
    expect(e.location?.line).toBeGreaterThanOrEqual(5);
  });

  test('duplicate key is a YAML error at its line', () => {
    const e = errorsOf(
      OK.replace('    repo: acme/public\n', '    repo: acme/public\n    repo: acme/other\n'),
    )[0];
    expect(e.location?.line).toBe(18);
    expect(e.message).toMatch(/unique/i);
  });

  test('pull command target without outputs', () => {
    const e = oneError(OK.replace('    outputs:\n      - docs/runtime/apps_truth.json\n', ''));
    expect(e.line).toBe(5);
    expect(e.message).toContain("pull target 'apps_truth' declares no outputs");
  });

  test('drift gate without bounds', () => {
    const e = oneError(OK + 'safety:\n  drift_gates:\n    - name: count\n      command: echo 3\n');
    expect(e.line).toBe(21);
    expect(e.message).toContain("drift gate 'count' needs min_value and/or max_value");
  });

  test('invalid secret pattern regex', () => {
    const e = oneError(OK + 'safety:\n  secret_patterns:\n    - "TOKEN("\n');
    expect(e.line).toBe(21);
    expect(e.message).toContain("'TOKEN(' is not a valid regular expression");
  });

  test('unknown edition and component', () => {
    const text =
      OK.replace(
        '    allowlist: public_allowlist.txt',
        '    allowlist: public_allowlist.txt\n    edition: comunity',
      ) + 'components:\n  core: ["src/core/**"]\neditions:\n  community:\n    components: [core, cli]\n';
    const errs = errorsOf(text);
    expect(errs.map((e) => [e.location?.line, e.message.replace(/^ferry\.yml:\d+:\d+: /, '')])).toEqual([
      [24, "edition 'community' names unknown component 'cli'. Known: core."],
      [
        19,
        "target 'public' uses edition 'comunity', which is not defined under editions. Did you mean 'community'?",
      ],
    ]);
  });

  test('several errors are all reported, sorted by line', () => {
    const errs = errorsOf(
      OK.replace('ouputs', 'x')
        .replace('    outputs:', '    ouptuts:')
        .replace('psuh', 'x')
        .replace('kind: export', 'kind: export\n    colour: red'),
    );
    expect(errs.map((e) => e.location?.line)).toEqual([9, 16]);
  });

  test('empty targets', () => {
    const e = oneError('version: "1"\ntargets: {}\n');
    expect(e.line).toBe(2);
    expect(e.message).toContain('define at least one target');
  });

  test('schema/ferry.schema.json is the schema the loader uses', () => {
    const shipped = JSON.parse(readFileSync(path.join(REPO_ROOT, 'schema/ferry.schema.json'), 'utf8'));
    expect(shipped).toEqual(JSON.parse(JSON.stringify(FERRY_SCHEMA)));
  });
});

describe('cron', () => {
  test.each([
    '0 2 * * *',
    '*/15 * * * *',
    '0 1 1 * *',
    '0 5 * * 0',
    '0 5 * * SUN',
    '30 4 1-15/2 JAN-MAR MON,FRI',
  ])('accepts %s', (c) => expect(cronError(c)).toBeUndefined());
  test.each([
    ['60 * * * *', 'minute 60 is out of range'],
    ['* * 0 * *', 'day of month 0'],
    ['* * * 13 *', 'month 13'],
    ['*/0 * * * *', 'step 0'],
    ['5-1 * * * *', 'runs backwards'],
    ['@daily', 'has 1 fields'],
    ['a * * * *', "invalid minute 'a'"],
  ])('rejects %s', (c, msg) => expect(cronError(c)).toContain(msg));
});
