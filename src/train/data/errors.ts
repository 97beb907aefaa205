import * as path from 'path';
import { DiagnosticError, userError } from '../../diagnostics/diagnostic';

/**
 * A problem with the user's data: a missing, truncated or malformed file, or a shape that does not fit the model.
 * The message names the file and says what was expected and what was found; `hint` says what to do about it.
 * Commands print it as one line (no stack trace).
 */
export function dataError(file: string, problem: string, hint?: string): DiagnosticError {
  return userError('data/invalid', problem, { file, hint });
}

/** Shortest readable name for a data file in messages: relative to the working directory when inside it. */
export function displayPath(file: string): string {
  const rel = path.relative(process.cwd(), file);
  return rel && !rel.startsWith('..') && !path.isAbsolute(rel) ? rel : file;
}
