import { RemoteError } from '../../src/core/errors.js';
import { rebuildAndPush, throwIfRefused, type RefUpdate } from '../../src/core/git/rebuild-and-push.js';
import { parsePushOutput, type PushRefStatus, type PushResult } from '../../src/core/git/transport.js';
import { silentLogger } from '../../src/core/logger.js';

/** The one rebuild-and-push helper, with the transport's verdicts given by hand. */
const MAIN = 'refs/heads/main';
const answer = (statuses: Record<string, [PushRefStatus, string]>): PushResult => ({
  ok: Object.values(statuses).every(([s]) => s === 'ok' || s === 'up-to-date'),
  refs: new Map(Object.entries(statuses).map(([ref, [status, detail]]) => [ref, { status, detail }])),
  stderr: '',
});
const base = { label: 'acme/public', maxRetries: 2, logger: silentLogger, backoffBaseMs: 1 };

test('a moved target is fetched and rebuilt until the push lands', async () => {
  const tips = ['t1', 't2', 't3'];
  const answers = [
    answer({ [MAIN]: ['rejected-stale', 'fetch first'] }),
    answer({ [MAIN]: ['rejected-stale', 'x'] }),
  ];
  const pushed: string[] = [];
  const r = await rebuildAndPush({
    ...base,
    build: async () => {
      const tip = tips.shift()!;
      return { value: tip, updates: [{ ref: MAIN, from: `built-on-${tip}` }] };
    },
    push: async (updates) => (
      pushed.push(updates[0].from),
      answers.shift() ?? answer({ [MAIN]: ['ok', ''] })
    ),
  });
  expect(r).toMatchObject({ value: 't3', attempts: 3, pushed: [MAIN] });
  expect(r.refused.size).toBe(0);
  expect(pushed).toEqual(['built-on-t1', 'built-on-t2', 'built-on-t3']);
});

test('gives up after max retries; workflow and other rejections explain themselves', async () => {
  const run = (status: PushRefStatus, detail: string) =>
    rebuildAndPush({
      ...base,
      build: async () => ({ value: 0, updates: [{ ref: MAIN, from: 'c' }] }),
      push: async () => answer({ [MAIN]: [status, detail] }),
      workflowError: () => new RemoteError('needs the workflows permission'),
    });
  const stale = await run('rejected-stale', 'fetch first');
  expect(stale.attempts).toBe(3);
  expect(() => throwIfRefused(stale)).toThrow(
    /rejected 3 times because the target kept moving.*'concurrency:'/,
  );
  expect(() => throwIfRefused(stale)).toThrow(RemoteError);
  const workflow = await run('rejected-workflow', 'x');
  expect(() => throwIfRefused(workflow)).toThrow(/workflows permission/);
  const hook = await run('rejected-other', 'pre-receive hook declined');
  expect(hook.attempts).toBe(1);
  expect(() => throwIfRefused(hook)).toThrow(
    /The push to acme\/public was rejected: pre-receive hook declined/,
  );
});

test('dry runs and builds with nothing to push never push', async () => {
  let pushes = 0;
  const push = async () => (pushes++, answer({ [MAIN]: ['ok', ''] }));
  const dry = await rebuildAndPush({
    ...base,
    dryRun: true,
    build: async () => ({ value: 1, updates: [{ ref: MAIN, from: 'c' }] }),
    push,
  });
  const none = await rebuildAndPush({ ...base, build: async () => ({ value: 2, updates: [] }), push });
  expect([dry.pushed, none.pushed]).toEqual([[], []]);
  expect(pushes).toBe(0);
});

test('several refs: the ones that moved are rebuilt, the others stay pushed or refused', async () => {
  const builds: ReadonlySet<string>[] = [];
  const r = await rebuildAndPush({
    ...base,
    build: async (_attempt, moved) => {
      builds.push(moved);
      const updates: RefUpdate[] =
        builds.length === 1
          ? ['a', 'b', 'c'].map((b) => ({ ref: `refs/heads/${b}`, from: b }))
          : [...moved].map((ref) => ({ ref, from: 'again' }));
      return { value: builds.length, updates };
    },
    push: async (updates) =>
      updates.length === 3
        ? answer({
            'refs/heads/a': ['ok', ''],
            'refs/heads/b': ['rejected-stale', '[remote rejected] (failed to update ref)'],
            'refs/heads/c': ['rejected-other', 'protected branch'],
          })
        : answer({ 'refs/heads/b': ['ok', ''] }),
  });
  expect(builds.map((m) => [...m])).toEqual([[], ['refs/heads/b']]);
  expect(r.pushed).toEqual(['refs/heads/a', 'refs/heads/b']);
  expect([...r.refused.keys()]).toEqual(['refs/heads/c']);
  expect(r.refused.get('refs/heads/c')?.message).toMatch(/protected branch/);
});

describe('the transport decides what "the target moved" means', () => {
  const line = (summary: string) =>
    parsePushOutput(`!\tc:${MAIN}\t${summary}\nDone\n`, '').refs.get(MAIN)?.status;
  test.each([
    '[rejected] (fetch first)',
    '[rejected] (non-fast-forward)',
    '[rejected] (stale info)',
    '[remote rejected] (failed to update ref)',
    '[remote rejected] (failed to lock)',
    "[remote rejected] (cannot lock ref 'refs/heads/main': is at 1111 but expected 2222)",
    '[remote rejected] (incorrect old value provided)',
  ])('%s: moved', (summary) => expect(line(summary)).toBe('rejected-stale'));
  test.each([
    '[remote rejected] (pre-receive hook declined)',
    '[remote rejected] (protected branch hook declined)',
  ])('%s: refused', (summary) => expect(line(summary)).toBe('rejected-other'));
  test('a workflow-permission refusal is its own verdict', () => {
    const r = parsePushOutput(
      `!\tc:${MAIN}\t[remote rejected] (refusing to allow a GitHub App to create or update workflow .github/workflows/x.yml without workflows permission)\n`,
      '! [remote rejected] main -> main (refusing to allow a GitHub App to create or update workflow `.github/workflows/x.yml` without `workflows` permission)',
    );
    expect(r.refs.get(MAIN)?.status).toBe('rejected-workflow');
    expect(parsePushOutput(`=\tc:${MAIN}\t[up to date]\n`, '').ok).toBe(true);
  });
});
