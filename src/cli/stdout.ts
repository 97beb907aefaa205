/**
 * What happens when standard output's reader goes away (`netspec … | head -3`). Most commands just end (see
 * guardStandardStreams in main.ts). A command that must not be cut off mid-work — train holds unsaved epochs —
 * takes the event over here and ends on its own terms.
 */
let onClosed: (() => void) | undefined;

/** `handler` runs (instead of the process ending) each time a write to the closed standard output fails. */
export function takeOverClosedStdout(handler: (() => void) | undefined): void {
  onClosed = handler;
}

/** True when a command has taken the event over and has been told. */
export function handOverClosedStdout(): boolean {
  if (!onClosed) return false;
  onClosed();
  return true;
}
