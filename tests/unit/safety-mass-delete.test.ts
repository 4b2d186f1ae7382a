import {
  DEFAULT_SAFETY_SETTINGS,
  MASS_DELETE_MIN_TARGET_FILES,
  massDeleteGate,
  parseSafetySettings,
  type GateChange,
  type GateInput,
  type SafetySettings,
} from '../../src/core/safety/index.js';

function input(
  deleted: number,
  targetFileCount: number,
  settings: SafetySettings = DEFAULT_SAFETY_SETTINGS,
): GateInput {
  const changes: GateChange[] = [];
  for (let i = 0; i < deleted; i++)
    changes.push({ sourcePath: `d${i}`, targetPath: `d${i}`, change: 'deleted' });
  // Additions and modifications never count as deletions.
  changes.push({ sourcePath: 'new', targetPath: 'new', change: 'added', oid: 'a'.repeat(40) });
  changes.push({ sourcePath: 'mod', targetPath: 'mod', change: 'modified', oid: 'b'.repeat(40) });
  return {
    changes,
    exportedSourcePaths: new Set(),
    sourcePaths: new Set(),
    targetFileCount,
    readBlob: () => Promise.reject(new Error('not read')),
    settings,
  };
}

describe('mass-deletion guard', () => {
  test('the minimum target size is 10 files', () => expect(MASS_DELETE_MIN_TARGET_FILES).toBe(10));

  test('exactly at the limit passes, one more file fails', async () => {
    expect(await massDeleteGate(input(50, 100))).toEqual([]);
    const [f] = await massDeleteGate(input(51, 100));
    expect(f).toMatchObject({ severity: 'error', code: 'mass-delete' });
    expect(f.message).toContain('51 of');
    expect(f.message).toContain('100 files');
    expect(f.message).toContain('51%');
    expect(f.message).toContain('allow-mass-delete');
  });

  test('small targets are not guarded', async () => {
    expect(await massDeleteGate(input(9, 9))).toEqual([]);
    expect(await massDeleteGate(input(10, 10))).toHaveLength(1);
    expect(await massDeleteGate(input(0, 0))).toEqual([]);
  });

  test('allowMassDelete turns the error into a warning', async () => {
    const s = parseSafetySettings({ allowMassDelete: true });
    const [f] = await massDeleteGate(input(100, 100, s));
    expect(f).toMatchObject({ severity: 'warning', code: 'mass-delete' });
  });

  test('the ratio setting moves the threshold; 0 refuses any deletion, 1 none', async () => {
    expect(await massDeleteGate(input(1, 100, parseSafetySettings({ maxDeleteRatio: 0 })))).toHaveLength(1);
    expect(await massDeleteGate(input(0, 100, parseSafetySettings({ maxDeleteRatio: 0 })))).toEqual([]);
    expect(await massDeleteGate(input(100, 100, parseSafetySettings({ maxDeleteRatio: 1 })))).toEqual([]);
    expect(await massDeleteGate(input(91, 100, parseSafetySettings({ maxDeleteRatio: 0.9 })))).toHaveLength(
      1,
    );
    expect(await massDeleteGate(input(90, 100, parseSafetySettings({ maxDeleteRatio: 0.9 })))).toEqual([]);
  });
});
