import fc from 'fast-check';
import { PathTimeline } from '../../src/core/export/history/timeline.js';

/**
 * The timeline answers "was this path in the set after step k?" without a copy per step. Against
 * the obvious reference (a copy of the set after every step), for random add/delete sequences,
 * recording the way ReplayState does: only real changes, and nothing for step 0 (views are asked
 * for steps ≥ 0 only, and the live set then already holds step 0's changes).
 */
describe('PathTimeline', () => {
  test('matches per-step copies of the set', () => {
    const paths = ['a', 'b', 'c', 'd'];
    const stepArb = fc.array(fc.record({ path: fc.constantFrom(...paths), present: fc.boolean() }), {
      maxLength: 4,
    });
    fc.assert(
      fc.property(fc.subarray(paths), fc.array(stepArb, { minLength: 1, maxLength: 12 }), (start, steps) => {
        const live = new Set(start);
        const tl = new PathTimeline();
        const copies: Set<string>[] = [];
        steps.forEach((changes, step) => {
          for (const { path, present } of changes) {
            const before = live.has(path);
            if (present) live.add(path);
            else live.delete(path);
            if (before !== present && step > 0) tl.record(path, step, before, present);
          }
          copies.push(new Set(live));
        });
        copies.forEach((copy, step) => {
          const view = tl.view(step, (p) => live.has(p));
          for (const p of paths) expect(view.has(p)).toBe(copy.has(p));
        });
      }),
      { numRuns: 300 },
    );
  });

  test('an unknown "before" defers to the base for earlier steps', () => {
    const tl = new PathTimeline();
    tl.record('x', 3, undefined, true);
    expect(tl.at('x', 2)).toBeUndefined();
    expect(tl.at('x', 3)).toBe(true);
    expect(tl.view(1, () => false).has('x')).toBe(false);
    expect(tl.view(5, () => false).has('x')).toBe(true);
  });
});
