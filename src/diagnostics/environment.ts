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
  EFBIG: 'the file is larger than this file system allows: write somewhere else',
  ENXIO: 'no reader or device behind this path (a FIFO with no reader, or a missing device)',
  ENODEV: 'no such device',
  EBUSY: 'the file or device is busy: retry when the other program is done with it',
  ETXTBSY: 'the file is busy (a running program): retry when it has finished',
  EPIPE: 'the reader of the output went away',
  // Node's own code for a file past the 2 GiB that one read can return.
  ERR_FS_FILE_TOO_LARGE: 'the file is too large to read at once (more than 2 GiB)',
};

/** What to do about an errno code, or undefined when it is not an environment problem. */
export function environmentHint(code: string | undefined): string | undefined {
  return code && Object.prototype.hasOwnProperty.call(ENVIRONMENT_PROBLEMS, code) ? ENVIRONMENT_PROBLEMS[code] : undefined;
}

/** `e` as a user-facing error when it is an environment problem (what the program was doing goes first), else undefined. */
export function environmentError(e: unknown, doing?: string): DiagnosticError | undefined {
  const err = e as NodeJS.ErrnoException | undefined;
  const code = err?.code;
  const hint = environmentHint(code);
  if (!code || !hint) return undefined;
  const where = err.path ? ` ${err.path}` : '';
  const message = `${doing ? `${doing}: ` : ''}${err.syscall ?? 'file operation'}${where} failed (${code})`;
  return userError(`env/${code.toLowerCase()}`, message, { hint });
}
