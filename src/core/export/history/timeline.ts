/**
 * Path sets as they stood at each replayed commit, without one copy per commit. The replay applies
 * the whole range first and runs the content gates once over the union of what it added; the
 * import-closure check of a file added by commit k must still resolve its imports against the
 * source as it was at commit k. A timeline records, per path that changed during the range, the
 * membership before the range and after each change; paths it never saw are answered by `base`.
 */
export class PathTimeline {
  private readonly changed = new Map<string, { before?: boolean; steps: number[]; present: boolean[] }>();

  /**
   * Record that at `step`, `path` went from `before` to `after` (steps in ascending order).
   * `before` undefined: unknown here, `base` answers for the steps before the first change.
   */
  record(path: string, step: number, before: boolean | undefined, after: boolean): void {
    let e = this.changed.get(path);
    if (!e) this.changed.set(path, (e = { before, steps: [], present: [] }));
    const n = e.steps.length;
    if (n && e.steps[n - 1] === step) e.present[n - 1] = after;
    else {
      e.steps.push(step);
      e.present.push(after);
    }
  }

  /** Membership of `path` after the changes of commits ≤ step; undefined: never changed in the range. */
  at(path: string, step: number): boolean | undefined {
    const e = this.changed.get(path);
    if (!e) return undefined;
    // Few changes per path: scan from the end.
    for (let i = e.steps.length - 1; i >= 0; i--) if (e.steps[i] <= step) return e.present[i];
    return e.before;
  }

  /** A read-only set view at `step`: changed paths from the timeline, the rest from `base`. */
  view(step: number, base: (path: string) => boolean): ReadonlySet<string> {
    return { has: (p: string) => this.at(p, step) ?? base(p) } as ReadonlySet<string>;
  }
}
