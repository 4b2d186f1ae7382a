import { looksWiped } from '../../src/core/dirsync/guard.js';

describe('looks wiped: lost (almost) every file the state knows, at any size', () => {
  test.each([
    // gone, known, wiped?
    [1, 1, true],
    [2, 2, true],
    [1, 2, false],
    [4, 5, false],
    [9, 10, true],
    [8, 10, false],
    [19, 19, true],
    [10, 19, false],
    [11, 20, true], // more than half of 20 or more
    [10, 20, false],
    [0, 0, false],
    [0, 100000, false],
  ])('%i of %i gone: %s', (gone, known, wiped) => {
    expect(looksWiped(gone, known, 0.5, 20)).toBe(wiped);
  });
});
