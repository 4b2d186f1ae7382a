/**
 * A unified diff (LCS, 3 lines of context) of a checked-in file against what Ferry generates:
 * why `ferry allowlist generate --check` or `ferry workflows --check` found it stale. Quadratic
 * in the line count: meant for short files (allowlists, workflows), not for trees.
 */
export function unifiedDiff(a: string, b: string, name: string): string {
  const x = a.split('\n');
  const y = b.split('\n');
  const n = x.length;
  const m = y.length;
  const dp: number[][] = Array.from({ length: n + 1 }, () => new Array<number>(m + 1).fill(0));
  for (let i = n - 1; i >= 0; i--)
    for (let j = m - 1; j >= 0; j--)
      dp[i][j] = x[i] === y[j] ? dp[i + 1][j + 1] + 1 : Math.max(dp[i + 1][j], dp[i][j + 1]);
  // ops[k] = [mark, text, old line, new line] (1-based line numbers of the next line in each file)
  const ops: [string, string, number, number][] = [];
  let i = 0;
  let j = 0;
  while (i < n || j < m) {
    if (i < n && j < m && x[i] === y[j]) ops.push([' ', x[i++], i, ++j]);
    // A changed line reads as git prints it: the old line, then the new one.
    else if (i < n && (j >= m || dp[i + 1][j] >= dp[i][j + 1])) ops.push(['-', x[i++], i, j + 1]);
    else ops.push(['+', y[j++], i + 1, j]);
  }
  const CONTEXT = 3;
  const near = ops.map((_, k) =>
    ops.slice(Math.max(0, k - CONTEXT), k + CONTEXT + 1).some((o) => o[0] !== ' '),
  );
  const out = [`--- ${name} (checked in)`, `+++ ${name} (generated)`];
  for (let k = 0; k < ops.length;) {
    if (!near[k]) {
      k++;
      continue;
    }
    let end = k;
    while (end < ops.length && near[end]) end++;
    const hunk = ops.slice(k, end);
    const oldLen = hunk.filter((o) => o[0] !== '+').length;
    const newLen = hunk.filter((o) => o[0] !== '-').length;
    const oldStart = hunk.find((o) => o[0] !== '+')?.[2] ?? hunk[0][2] - 1;
    const newStart = hunk.find((o) => o[0] !== '-')?.[3] ?? hunk[0][3] - 1;
    out.push(`@@ -${oldStart},${oldLen} +${newStart},${newLen} @@`, ...hunk.map((o) => o[0] + o[1]));
    k = end;
  }
  return out.join('\n');
}
