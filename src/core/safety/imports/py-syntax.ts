/**
 * Python imports from a tokenizer that knows Python's lexical rules (strings of every prefix,
 * triple quotes, comments, brackets and backslash continuations, `;` and one-line compound
 * statements such as `if TYPE_CHECKING: from x import y`), so an import in a docstring or comment
 * is not one. Also `importlib.import_module("x")`, `import_module("x")` and `__import__("x")` with
 * a literal name.
 */
export interface PythonImport {
  line: number;
  /** Leading dots of a relative import (0 for absolute). */
  level: number;
  /** Dotted module after the dots, '' for `from . import x`. */
  module: string;
  /** For `from M import a, b`: the imported names (each may be a submodule). Absent for `import M`. */
  names?: string[];
}

interface Tok {
  t: 'name' | 'op' | 'str';
  v: string;
  line: number;
}

const NAME_START = /[A-Za-z_\u0080-\uffff]/;
const NAME_CHAR = /[\w\u0080-\uffff]/;
const STRING_PREFIX = /^(?:[rRbBuUfFtT]{1,2})$/;

/** Logical lines as token lists. */
function* logicalLines(text: string): Generator<Tok[]> {
  let line = 1;
  let depth = 0;
  let toks: Tok[] = [];
  const n = text.length;
  let i = 0;
  while (i < n) {
    const c = text[i];
    if (c === '\n') {
      line++;
      i++;
      if (depth === 0 && toks.length) {
        yield toks;
        toks = [];
      }
      continue;
    }
    if (c === ' ' || c === '\t' || c === '\r' || c === '\f') {
      i++;
      continue;
    }
    if (c === '#') {
      while (i < n && text[i] !== '\n') i++;
      continue;
    }
    if (c === '\\' && (text[i + 1] === '\n' || (text[i + 1] === '\r' && text[i + 2] === '\n'))) {
      i += text[i + 1] === '\n' ? 2 : 3;
      line++;
      continue;
    }
    if (c === '"' || c === "'") {
      i = readString(text, i, '', toks, line, (l) => (line += l));
      continue;
    }
    if (NAME_START.test(c)) {
      let j = i + 1;
      while (j < n && NAME_CHAR.test(text[j])) j++;
      const word = text.slice(i, j);
      if ((text[j] === '"' || text[j] === "'") && STRING_PREFIX.test(word)) {
        i = readString(text, j, word, toks, line, (l) => (line += l));
        continue;
      }
      toks.push({ t: 'name', v: word, line });
      i = j;
      continue;
    }
    if (c === '(' || c === '[' || c === '{') depth++;
    else if ((c === ')' || c === ']' || c === '}') && depth > 0) depth--;
    toks.push({ t: 'op', v: c, line });
    i++;
  }
  if (toks.length) yield toks;
}

function readString(
  text: string,
  at: number,
  prefix: string,
  toks: Tok[],
  line: number,
  addLines: (n: number) => void,
): number {
  const q = text[at];
  const triple = text.startsWith(q + q + q, at);
  const close = triple ? q + q + q : q;
  let i = at + close.length;
  let lines = 0;
  const start = i;
  while (i < text.length) {
    const c = text[i];
    if (c === '\\') {
      if (text[i + 1] === '\n') lines++;
      i += 2;
      continue;
    }
    if (c === '\n') {
      if (!triple) break; // an unterminated one-line string ends at the line end
      lines++;
    }
    if (text.startsWith(close, i)) break;
    i++;
  }
  const value = text.slice(start, Math.min(i, text.length));
  // f-strings and byte strings never name a module; keep them out of the candidates.
  toks.push({ t: 'str', v: /[fFbBtT]/.test(prefix) ? '\0' : value, line });
  addLines(lines);
  return text[i] === '\n' && !triple ? i : i + close.length;
}

/** Every import of a Python file, in order. */
export function parsePythonImports(text: string): PythonImport[] {
  if (!text.includes('import')) return [];
  const out: PythonImport[] = [];
  for (const toks of logicalLines(text)) {
    let depth = 0;
    for (let k = 0; k < toks.length; k++) {
      const tk = toks[k];
      if (tk.t === 'op') {
        if (tk.v === '(' || tk.v === '[' || tk.v === '{') depth++;
        else if (tk.v === ')' || tk.v === ']' || tk.v === '}') depth--;
      }
      if (tk.t !== 'name') continue;
      const prev = toks[k - 1];
      const atStart = !prev || (depth === 0 && prev.t === 'op' && (prev.v === ';' || prev.v === ':'));
      if (atStart && tk.v === 'import') k = importStatement(toks, k + 1, tk.line, out);
      else if (atStart && tk.v === 'from') k = fromStatement(toks, k + 1, tk.line, out);
      else if ((tk.v === 'import_module' || tk.v === '__import__') && toks[k + 1]?.v === '(') {
        const arg = toks[k + 2];
        const after = toks[k + 3];
        if (arg?.t === 'str' && after && (after.v === ')' || after.v === ',') && /^[\w.]+$/.test(arg.v)) {
          if (!arg.v.startsWith('.')) out.push({ line: arg.line, level: 0, module: arg.v });
        }
      }
    }
  }
  return out;
}

function dotted(toks: Tok[], k: number): { name: string; next: number } {
  let name = '';
  while (k < toks.length) {
    const tk = toks[k];
    if (tk.t === 'name' && tk.v === 'import' && name === '') break;
    if (tk.t === 'name' && (name === '' || name.endsWith('.'))) name += tk.v;
    else if (tk.t === 'op' && tk.v === '.' && name !== '' && !name.endsWith('.')) name += '.';
    else break;
    k++;
  }
  return { name, next: k };
}

/** `import a.b as c, d`; returns the index of the last token used. */
function importStatement(toks: Tok[], k: number, line: number, out: PythonImport[]): number {
  for (;;) {
    const d = dotted(toks, k);
    if (!d.name) return k - 1;
    out.push({ line, level: 0, module: d.name.replace(/\.$/, '') });
    k = d.next;
    if (toks[k]?.t === 'name' && toks[k].v === 'as') k += 2;
    if (toks[k]?.v !== ',') return k - 1;
    k++;
  }
}

/** `from ..a.b import (x as y, z)`; returns the index of the last token used. */
function fromStatement(toks: Tok[], k: number, line: number, out: PythonImport[]): number {
  let level = 0;
  while (toks[k]?.t === 'op' && toks[k].v === '.') {
    level++;
    k++;
  }
  const d = dotted(toks, k);
  k = d.next;
  if (toks[k]?.t !== 'name' || toks[k].v !== 'import') return k - 1;
  if (level === 0 && d.name === '') return k;
  k++;
  const names: string[] = [];
  const paren = toks[k]?.v === '(';
  if (paren) k++;
  while (k < toks.length) {
    const tk = toks[k];
    if (tk.t === 'op' && tk.v === '*') k++;
    else if (tk.t === 'name') {
      names.push(tk.v);
      k++;
      if (toks[k]?.t === 'name' && toks[k].v === 'as') k += 2;
    } else break;
    if (toks[k]?.v === ',') k++;
    else break;
  }
  if (paren && toks[k]?.v === ')') k++;
  out.push({ line, level, module: d.name, names });
  return k - 1;
}
