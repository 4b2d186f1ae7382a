import type { Ajv, ErrorObject } from 'ajv';
import { isMap, isScalar, isSeq, type Document, type LineCounter, type Node } from 'yaml';
import { ConfigurationError } from '../errors.js';
import { cronError } from './cron.js';
import { repoPathError } from './paths.js';
import { FERRY_SCHEMA } from './schema.js';
import { didYouMean } from './suggest.js';

/**
 * Schema validation with positions: ajv finds what is wrong, this module says where (file:line:column
 * of the offending key or value, found by walking the YAML document) and how to fix it.
 */
let compiled: ReturnType<Ajv['compile']> | undefined;
let AjvClass: typeof Ajv | undefined;

/**
 * Loads ajv, which only reading a ferry.yml needs: as a chunk of its own it costs nothing to a CLI
 * command or an action that reads none (≈ 20 ms of start-up otherwise). loadConfig awaits it.
 */
export async function loadSchemaValidator(): Promise<void> {
  if (AjvClass) return;
  // ajv is CommonJS: Node's import() names its exports, a bundle's gives the module as `default`.
  const m = (await import('ajv')) as unknown as { Ajv?: typeof Ajv; default?: { Ajv?: typeof Ajv } };
  AjvClass = m.Ajv ?? m.default?.Ajv;
  if (!AjvClass) throw new Error('internal: ajv loaded without its Ajv class');
}

function validator(): ReturnType<Ajv['compile']> {
  if (!compiled) {
    if (!AjvClass) throw new Error('internal: ferry.yml validated before loadSchemaValidator()');
    const ajv = new AjvClass({ allErrors: true, verbose: true, strict: false });
    ajv.addFormat('cron', (s: string) => cronError(s) === undefined);
    ajv.addFormat('repo-path', (s: string) => repoPathError(s) === undefined);
    ajv.addFormat('repo-glob', (s: string) => repoPathError(s.replace(/^!/, '')) === undefined);
    compiled = ajv.compile(FERRY_SCHEMA);
  }
  return compiled;
}

export interface YamlSource {
  file: string;
  doc: Document;
  lc: LineCounter;
}

export function decodePointer(p: string): string[] {
  return p === ''
    ? []
    : p
        .slice(1)
        .split('/')
        .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
}

/** The node at a path, and the key node that introduces it (when it is a map value). */
export function nodeAt(src: YamlSource, segs: readonly string[]): { node?: Node; key?: Node } {
  let node: unknown = src.doc.contents;
  let key: Node | undefined;
  for (const s of segs) {
    if (isMap(node)) {
      const pair = node.items.find((p) => isScalar(p.key) && String(p.key.value) === s);
      if (!pair) return { node: node as Node, key };
      key = pair.key as Node;
      node = pair.value;
    } else if (isSeq(node)) {
      key = undefined;
      node = node.items[Number(s)];
    } else return { node: node as Node, key };
  }
  return { node: (node ?? undefined) as Node | undefined, key };
}

export function locate(src: YamlSource, node: Node | undefined | null) {
  const off = node?.range?.[0] ?? 0;
  const p = src.lc.linePos(off);
  return { file: src.file, line: p.line, column: p.col };
}

function describe(segs: readonly string[]): string {
  return segs.length ? `'${segs.join('.')}'` : 'the top level';
}

function toError(src: YamlSource, e: ErrorObject): ConfigurationError | undefined {
  const segs = decodePointer(e.instancePath);
  const { node, key } = nodeAt(src, segs);
  const at = (n: Node | undefined) => locate(src, n);
  const here = describe(segs);
  const params = e.params as Record<string, unknown>;
  const parent = e.parentSchema as { properties?: Record<string, unknown>; enum?: unknown[] } | undefined;
  switch (e.keyword) {
    case 'if':
    case 'propertyNames':
      return undefined; // the error inside the `then` / the name pattern says it better
    case 'additionalProperties': {
      const name = String(params.additionalProperty);
      const known = Object.keys(parent?.properties ?? {});
      const keyNode = nodeAt(src, [...segs, name]).key;
      return new ConfigurationError(
        `unknown key '${name}' in ${here}.${didYouMean(name, known)} Known keys: ${known.join(', ')}.`,
        at(keyNode ?? node),
      );
    }
    case 'required':
      return new ConfigurationError(
        `${here} is missing the required key '${String(params.missingProperty)}'.`,
        at(key ?? node),
      );
    case 'enum': {
      const allowed = (parent?.enum ?? (params.allowedValues as unknown[]) ?? []).map(String);
      const v = String(e.data);
      return new ConfigurationError(
        `${here} is '${v}'; expected one of ${allowed.join(', ')}.${didYouMean(v, allowed)}`,
        at(node),
      );
    }
    case 'type':
      return new ConfigurationError(
        `${here} must be ${String(params.type).replace(/,/g, ' or ')}, got ${e.data === null ? 'null' : Array.isArray(e.data) ? 'a list' : typeof e.data}.`,
        at(node ?? key),
      );
    case 'format': {
      const v = String(e.data);
      const why =
        params.format === 'cron'
          ? cronError(v)
          : (repoPathError(params.format === 'repo-glob' ? v.replace(/^!/, '') : v) ?? 'invalid value');
      return new ConfigurationError(`${here}: ${why}.`, at(node));
    }
    case 'pattern':
      if (e.propertyName !== undefined) {
        const k = nodeAt(src, [...segs, e.propertyName]).key;
        return new ConfigurationError(
          `target name '${e.propertyName}' may only contain letters, digits, '_', '.' and '-' (it names workflow files and concurrency groups).`,
          at(k ?? node),
        );
      }
      return new ConfigurationError(
        `${here} '${String(e.data)}' must match ${String(params.pattern)}.`,
        at(node),
      );
    case 'minProperties':
      return new ConfigurationError(
        `${here} must not be empty: define at least one target.`,
        at(key ?? node),
      );
    default:
      return new ConfigurationError(`${here} ${e.message ?? 'is invalid'}.`, at(node ?? key));
  }
}

/** Schema errors with positions, sorted by line, one per place and problem. */
export function schemaErrors(src: YamlSource, data: unknown): ConfigurationError[] {
  const validate = validator();
  if (validate(data)) return [];
  const seen = new Set<string>();
  const out: ConfigurationError[] = [];
  for (const e of validate.errors ?? []) {
    const err = toError(src, e);
    if (!err || seen.has(err.message)) continue;
    seen.add(err.message);
    out.push(err);
  }
  return out.sort((a, b) => (a.location?.line ?? 0) - (b.location?.line ?? 0));
}
