/**
 * Cron expressions as GitHub Actions accepts them: five fields (minute hour day-of-month month
 * day-of-week), each `*`, a number, a range `a-b`, a step `x/n`, or a comma list of those; month and
 * weekday names (JAN, MON) are allowed. Returns a message saying what is wrong, or undefined.
 */
const FIELDS = [
  { name: 'minute', min: 0, max: 59 },
  { name: 'hour', min: 0, max: 23 },
  { name: 'day of month', min: 1, max: 31 },
  {
    name: 'month',
    min: 1,
    max: 12,
    names: ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'],
  },
  { name: 'day of week', min: 0, max: 7, names: ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'] },
] as const;

function value(text: string, f: (typeof FIELDS)[number]): number | undefined {
  if (/^\d+$/.test(text)) return Number(text);
  const names = 'names' in f ? (f.names as readonly string[]) : undefined;
  const i = names?.indexOf(text.toUpperCase()) ?? -1;
  if (i < 0) return undefined;
  return f.name === 'month' ? i + 1 : i;
}

export function cronError(expr: string): string | undefined {
  const parts = expr.trim().split(/\s+/);
  if (parts.length !== 5 || expr.trim() === '')
    return `cron '${expr}' has ${expr.trim() ? parts.length : 0} fields; expected 5 (minute hour day-of-month month day-of-week), e.g. '0 2 * * *'`;
  for (let i = 0; i < 5; i++) {
    const f = FIELDS[i];
    for (const item of parts[i].split(',')) {
      const m = /^([^/]+)(?:\/(\d+))?$/.exec(item);
      if (!m) return `cron '${expr}': invalid ${f.name} '${item}'`;
      const [, range, step] = m;
      if (step !== undefined && Number(step) === 0) return `cron '${expr}': step 0 in ${f.name} '${item}'`;
      if (range === '*') continue;
      const bounds = range.split('-');
      if (bounds.length > 2) return `cron '${expr}': invalid ${f.name} range '${range}'`;
      const nums = bounds.map((b) => value(b, f));
      for (let j = 0; j < nums.length; j++) {
        const n = nums[j];
        if (n === undefined) return `cron '${expr}': invalid ${f.name} '${bounds[j]}'`;
        if (n < f.min || n > f.max) return `cron '${expr}': ${f.name} ${n} is out of range ${f.min}-${f.max}`;
      }
      if (nums.length === 2 && nums[0]! > nums[1]!)
        return `cron '${expr}': ${f.name} range '${range}' runs backwards`;
    }
  }
  return undefined;
}
