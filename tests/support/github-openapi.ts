import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { Ajv, type ValidateFunction, type ErrorObject } from 'ajv';
import { REPO_ROOT } from './run-action.js';

/**
 * Validation against GitHub's official OpenAPI description (the `@octokit/openapi` package, the
 * api.github.com document). Loaded once per test process; only the operations the loopback API
 * serves are compiled. OpenAPI 3.0 is not JSON Schema: `nullable: true` becomes
 * `anyOf: [{type: null}, …]`, `$ref`s to components are rewritten to one registered schema, and
 * documentation-only keywords are dropped.
 */
const SPEC_FILE = path.join(REPO_ROOT, 'node_modules/@octokit/openapi/generated/api.github.com.json');
const ROOT_ID = 'https://ferry.test/github-openapi.json';
const DOC_ONLY = new Set([
  'example',
  'examples',
  'discriminator',
  'xml',
  'externalDocs',
  'deprecated',
  'readOnly',
  'writeOnly',
  'description',
  'title',
]);

type Json = any; // eslint-disable-line @typescript-eslint/no-explicit-any

interface Parameter {
  name: string;
  in: 'path' | 'query' | 'header';
  required?: boolean;
  schema: Json;
}

export interface CompiledOperation {
  operationId: string;
  method: string;
  template: string;
  params: ValidateFunction;
  body?: ValidateFunction;
  bodyRequired: boolean;
  responses: Map<string, ValidateFunction | null>;
}

/** Turn an OpenAPI 3.0 schema object into JSON Schema (draft-07 as Ajv reads it). */
function toJsonSchema(node: Json, refs: Set<string>): Json {
  if (Array.isArray(node)) return node.map((n) => toJsonSchema(n, refs));
  if (node === null || typeof node !== 'object') return node;
  const out: Json = {};
  for (const [k, v] of Object.entries(node)) {
    if (DOC_ONLY.has(k) || k.startsWith('x-') || k === 'nullable') continue;
    if (k === '$ref' && typeof v === 'string') {
      const m = /^#\/components\/schemas\/(.+)$/.exec(v);
      if (!m) throw new Error(`unsupported $ref ${v}`);
      refs.add(m[1]);
      out.$ref = `${ROOT_ID}#/definitions/${m[1]}`;
    } else if (k === 'properties' || k === 'patternProperties') {
      out[k] = Object.fromEntries(Object.entries(v as Json).map(([p, s]) => [p, toJsonSchema(s, refs)]));
    } else out[k] = toJsonSchema(v, refs);
  }
  return node.nullable === true ? { anyOf: [{ type: 'null' }, out] } : out;
}

function collectFormats(node: Json, into: Set<string>): void {
  if (Array.isArray(node)) node.forEach((n) => collectFormats(n, into));
  else if (node && typeof node === 'object')
    for (const [k, v] of Object.entries(node)) {
      if (k === 'format' && typeof v === 'string') into.add(v);
      else collectFormats(v, into);
    }
}

const FORMATS: Record<string, (s: string) => boolean> = {
  'date-time': (s) =>
    /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/.test(s) && !isNaN(Date.parse(s)),
  date: (s) => /^\d{4}-\d{2}-\d{2}$/.test(s),
  uri: (s) => {
    try {
      new URL(s);
      return true;
    } catch {
      return false;
    }
  },
  email: (s) => /^[^@\s]+@[^@\s]+$/.test(s),
};

export class GitHubOpenApi {
  private static instance?: GitHubOpenApi;
  private readonly ops: CompiledOperation[] = [];

  /** Load the description once per process and compile the given operations. */
  static get(operations: [method: string, template: string][]): GitHubOpenApi {
    GitHubOpenApi.instance ??= new GitHubOpenApi(operations);
    return GitHubOpenApi.instance;
  }

  private constructor(operations: [string, string][]) {
    const spec = JSON.parse(readFileSync(SPEC_FILE, 'utf8')) as Json;
    const refs = new Set<string>();
    const resolve = (x: Json, kind: 'parameters' | 'responses'): Json => {
      const m = typeof x?.$ref === 'string' ? new RegExp(`^#/components/${kind}/(.+)$`).exec(x.$ref) : null;
      return m ? spec.components[kind][m[1]] : x;
    };
    const raw = operations.map(([method, template]) => {
      const op = spec.paths[template]?.[method.toLowerCase()];
      if (!op) throw new Error(`the OpenAPI description has no ${method} ${template}`);
      const params = ((op.parameters ?? []) as Json[]).map((p) => resolve(p, 'parameters') as Parameter);
      const paramSchema = {
        type: 'object',
        properties: Object.fromEntries(
          params.map((p) => [`${p.in}:${p.name}`, toJsonSchema(p.schema, refs)]),
        ),
        required: params.filter((p) => p.required).map((p) => `${p.in}:${p.name}`),
      };
      const rb = op.requestBody?.content?.['application/json'];
      const responses = new Map<string, Json>();
      for (const [code, r] of Object.entries(op.responses as Json)) {
        const s = resolve(r, 'responses')?.content?.['application/json']?.schema;
        responses.set(code, s ? toJsonSchema(s, refs) : null);
      }
      return {
        operationId: op.operationId as string,
        method: method.toUpperCase(),
        template,
        paramSchema,
        body: rb?.schema ? toJsonSchema(rb.schema, refs) : undefined,
        bodyRequired: op.requestBody?.required === true,
        responses,
      };
    });
    // The closure of referenced component schemas, transformed.
    const definitions: Json = {};
    const queue = [...refs];
    while (queue.length) {
      const name = queue.pop()!;
      if (definitions[name]) continue;
      const before = new Set(refs);
      definitions[name] = toJsonSchema(spec.components.schemas[name], refs);
      for (const r of refs) if (!before.has(r)) queue.push(r);
    }
    const formats = new Set<string>();
    collectFormats(definitions, formats);
    for (const o of raw) collectFormats([o.body, o.paramSchema, [...o.responses.values()]], formats);
    const mk = (coerce: boolean) => {
      const ajv = new Ajv({ strict: false, allErrors: true, coerceTypes: coerce });
      for (const f of formats) ajv.addFormat(f, FORMATS[f] ?? true);
      ajv.addSchema({ $id: ROOT_ID, definitions });
      return ajv;
    };
    const ajv = mk(false);
    const paramAjv = mk(true); // path and query values arrive as strings
    for (const o of raw) {
      this.ops.push({
        operationId: o.operationId,
        method: o.method,
        template: o.template,
        params: paramAjv.compile(o.paramSchema),
        body: o.body ? ajv.compile(o.body) : undefined,
        bodyRequired: o.bodyRequired,
        responses: new Map([...o.responses].map(([c, s]) => [c, s ? ajv.compile(s) : null])),
      });
    }
  }

  /** The served operation for a method and concrete path, with its path parameters. */
  match(
    method: string,
    pathname: string,
  ): { op: CompiledOperation; pathParams: Record<string, string> } | undefined {
    for (const op of this.ops) {
      if (op.method !== method.toUpperCase()) continue;
      const names: string[] = [];
      const re = new RegExp(
        '^' + op.template.replace(/\{([^}]+)\}/g, (_, n: string) => (names.push(n), '([^/]+)')) + '$',
      );
      const m = re.exec(pathname);
      if (m)
        return { op, pathParams: Object.fromEntries(names.map((n, i) => [n, decodeURIComponent(m[i + 1])])) };
    }
    return undefined;
  }

  /** Violations of the request against the description ([] when valid). */
  checkRequest(
    op: CompiledOperation,
    pathParams: Record<string, string>,
    query: URLSearchParams,
    body: unknown,
  ): string[] {
    const input: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(pathParams)) input[`path:${k}`] = v;
    for (const [k, v] of query) input[`query:${k}`] = v;
    const out: string[] = [];
    if (!op.params(input)) out.push(...fmt(`${op.operationId} parameters`, op.params.errors));
    if (op.body) {
      if (body === undefined) {
        if (op.bodyRequired) out.push(`${op.operationId}: request body is required`);
      } else if (!op.body(body)) out.push(...fmt(`${op.operationId} body`, op.body.errors));
    } else if (body !== undefined && (op.method === 'GET' || op.method === 'DELETE') && body !== '') {
      out.push(`${op.operationId}: unexpected request body`);
    }
    return out;
  }

  checkResponse(op: CompiledOperation, status: number, body: unknown): string[] {
    const code = String(status);
    if (!op.responses.has(code)) return [`${op.operationId}: status ${code} is not a documented response`];
    const v = op.responses.get(code);
    if (v && !v(body)) return fmt(`${op.operationId} response ${code}`, v.errors);
    return [];
  }
}

function fmt(where: string, errors: ErrorObject[] | null | undefined): string[] {
  return (errors ?? [])
    .slice(0, 10)
    .map((e) => `${where}: ${e.instancePath || '/'} ${e.message} ${JSON.stringify(e.params)}`);
}
