/**
 * The words a message uses for a setting, on the surface the user is on.
 *
 * A setting is identified by its action input name, the canonical spelling (`max-delete-ratio`).
 * Each surface spells it its own way, and messages deep in the engine ("raise max-delete-ratio",
 * "set allow-mass-delete: true") must use the user's spelling:
 *
 * | Surface | name | how to set it |
 * | --- | --- | --- |
 * | action | `input 'max-delete-ratio'` | `max-delete-ratio: 0.8` (under `with:`) |
 * | CLI | `--max-delete-ratio` | `--max-delete-ratio 0.8`, `--allow-mass-delete` |
 * | ferry.yml | `targets.public.max_delete_ratio` | `max_delete_ratio: 0.8` (in targets.public) |
 *
 * The adapter sets the surface for the length of a run (`withSurface`); the runner sets a
 * ferry.yml surface per target. Threading a namer through every engine, gate and template would
 * put a parameter on every signature for the sake of wording; an async-local value reaches the
 * messages wherever they are made and cannot leak between two runs in one process.
 */
import { AsyncLocalStorage } from 'node:async_hooks';

export type SettingId = string;

export interface Surface {
  readonly kind: 'action' | 'cli' | 'config';
  /** How a message names the setting. */
  name(id: SettingId): string;
  /** How a message tells the user to set it to `value` (a list: an input or key that takes several). */
  assign(id: SettingId, value: string | readonly string[]): string;
}

/** The actions' spelling, and the default when no adapter set one (library use, unit tests). */
export const ACTION_SURFACE: Surface = {
  kind: 'action',
  name: (id) => `input '${id}'`,
  assign: (id, value) => `${id}: ${typeof value === 'string' ? value : value.join(', ')}`,
};

/** How the CLI takes one setting: a flag (maybe an inverting `--no-...` one), or a variable. */
export interface CliSpelling {
  flag?: string;
  boolean?: boolean;
  /** The flag turns the setting off (`--no-secret-scan` for `secret-scan`). */
  inverted?: boolean;
  /** Environment variables instead of a flag (tokens never go through argv). */
  env?: string;
}

export function cliSurface(spellings: ReadonlyMap<SettingId, CliSpelling>): Surface {
  const of = (id: SettingId): CliSpelling => spellings.get(id) ?? { flag: `--${id}` };
  return {
    kind: 'cli',
    name: (id) => {
      const s = of(id);
      return s.env ?? s.flag!;
    },
    assign: (id, value) => {
      const s = of(id);
      // A list is given by repeating the flag.
      if (typeof value !== 'string') return value.map((v) => `${s.flag} ${v}`).join(' ');
      if (s.env) return `${s.env.split(/ or |, /)[0]}=${value}`;
      if (!s.boolean) return `${s.flag} ${value}`;
      const on = value === 'true' ? !s.inverted : !!s.inverted;
      return on ? s.flag! : `no ${s.flag}`;
    },
  };
}

/** A ferry.yml target's spelling: snake_case keys under `targets.<name>`, with the kind's exceptions. */
export function configSurface(target: string, keys: Readonly<Record<SettingId, string>> = {}): Surface {
  const key = (id: SettingId) => keys[id] ?? id.replace(/-/g, '_');
  return {
    kind: 'config',
    name: (id) => `targets.${target}.${key(id)}`,
    assign: (id, value) =>
      `${key(id)}: ${typeof value === 'string' ? value : `[${value.join(', ')}]`} (in targets.${target})`,
  };
}

const current = new AsyncLocalStorage<Surface>();

export function withSurface<T>(surface: Surface, fn: () => T): T {
  return current.run(surface, fn);
}

function currentSurface(): Surface {
  return current.getStore() ?? ACTION_SURFACE;
}

/** The setting's name on the current surface: `input 'max-retries'`, `--max-retries`, `targets.x.max_retries`. */
export function settingName(id: SettingId): string {
  return currentSurface().name(id);
}

/** How to set it on the current surface: `allow-mass-delete: true`, `--allow-mass-delete`, ... */
export function settingAssign(id: SettingId, value: string | readonly string[]): string {
  return currentSurface().assign(id, value);
}
