export * from './types.js';
export * from './settings.js';
export * from './gates.js';
export { forbiddenMatcher } from './forbidden.js';
export { MASS_DELETE_MIN_TARGET_FILES, deletePlan, type DeletePlan } from './mass-delete.js';
export { MAX_SCANNED_BLOB_BYTES, READ_CONCURRENCY } from './blob-scan.js';
export {
  ALLOW_SECRET_MARKER,
  FINGERPRINT_DISPLAY_CHARS,
  fingerprintOf,
  redactSecret,
  scanTextForSecrets,
  secretScannerFor,
  type SecretHit,
} from './secret-scan.js';
export {
  BUILTIN_SECRET_RULES,
  entropy,
  hasTokenChecksum,
  isNonTrivialValue,
  tokenChecksum,
  type SecretRule,
} from './secret-rules.js';
export * from './baseline.js';
export { decodeBlob, sniffEncoding } from './text-decode.js';
export { excludeMatcher, scanStream, secretContext, secretHits, type SecretContext } from './content-scan.js';
export {
  ALLOW_IMPORT_MARKER,
  findImportLeaks,
  findImportLeaksIn,
  type ImportLeak,
  type ImportLeakCandidate,
} from './import-closure.js';
export { parsePythonImports, type PythonImport } from './imports/py-syntax.js';
export { resolvePythonImport } from './imports/py-resolve.js';
export { JsParseError, parseJsImports, specifierCandidates, type JsImport } from './imports/js-syntax.js';
export { resolveJsSpecifier, resolveFile, type FileView } from './imports/js-resolve.js';
export { RepoLayout, type SourceFileReader } from './imports/layout.js';
export { roundRobinReader } from './blob-source.js';
