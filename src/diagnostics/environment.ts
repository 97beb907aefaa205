import { DiagnosticError, userError } from './diagnostic';

/**
 * Operating-system failures the user can fix (a full disk, a read-only folder, a missing permission), by errno code,
 * with what to do about each. Anything else is not the environment's fault and stays an error for the caller.
 */
const ENVIRONMENT_PROBLEMS: Readonly<Record<string, string>> = {
  ENOSPC: 'the disk is full: free some space or write somewhere else',
  EDQUOT: 'the disk quota is used up: free some space or write somewhere else',
  EROFS: 'the file system is read-only: write somewhere else',
  EACCES: 'permission denied: check the owner and mode of the file or folder',
  EPERM: 'operation not permitted: check the owner and mode of the file or folder',
  ENOTDIR: 'a part of the path is a file, not a folder',
  EISDIR: 'a folder is where a file was expected',
  ENOENT: 'no such file or folder',
  EEXIST: 'something is already there',
  EMFILE: 'too many open files: raise the limit (ulimit -n) or close other programs',
  ENFILE: 'too many open files on this system',
  EIO: 'input/output error from the device',
  ENAMETOOLONG: 'the path is too long',
  ELOOP: 'too many symbolic links in the path',
};

/** `e` as a user-facing error when it is an environment problem (what the program was doing goes first), else undefined. */
export function environmentError(e: unknown, doing?: string): DiagnosticError | undefined {
  const err = e as NodeJS.ErrnoException | undefined;
  const code = err?.code;
  if (!code || !(code in ENVIRONMENT_PROBLEMS)) return undefined;
  const where = err.path ? ` ${err.path}` : '';
  const message = `${doing ? `${doing}: ` : ''}${err.syscall ?? 'file operation'}${where} failed (${code})`;
  return userError(`env/${code.toLowerCase()}`, message, { hint: ENVIRONMENT_PROBLEMS[code] });
}
