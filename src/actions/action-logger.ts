import * as core from '@actions/core';
import type { Logger } from '../core/logger.js';
import { redact } from '../core/git/secrets.js';

/** The engine's Logger, spoken through @actions/core: groups, annotations at file:line. */
export function actionsLogger(): Logger {
  const props = (l?: { file?: string; line?: number; column?: number }) =>
    l?.file ? { file: l.file, startLine: l.line, startColumn: l.column } : undefined;
  return {
    debug: (m) => core.debug(redact(m)),
    info: (m) => core.info(redact(m)),
    warning: (m, l) => core.warning(redact(m), props(l)),
    error: (m, l) => core.error(redact(m), props(l)),
    startGroup: (n) => core.startGroup(n),
    endGroup: () => core.endGroup(),
  };
}
