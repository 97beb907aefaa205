/**
 * Test hook, inert unless NETSPEC_TEST_PAUSE_AT is set. `NETSPEC_TEST_PAUSE_AT=<file name>[:<n>]` makes the n-th
 * (default first) write of a file with that name stop half-way — an atomic write after its temporary file is
 * complete and before the rename, the metrics.jsonl append after half a line — print `netspec-test-pause <name>` on
 * stderr and block, so a test can SIGKILL the process in the middle of that write. Used by the kill-9 soak
 * (scripts/soak-resume.js) and its jest version; never set in normal use.
 */
import * as path from 'path';
import { beforeRename } from './atomic';

const arrivals = new Map<string, number>();

export function testPause(name: string): void {
  const wanted = process.env.NETSPEC_TEST_PAUSE_AT;
  if (!wanted) return;
  const [point, nth = '1'] = wanted.split(':');
  if (point !== name) return;
  const n = (arrivals.get(name) ?? 0) + 1;
  arrivals.set(name, n);
  if (n !== Number(nth)) return;
  process.stderr.write(`netspec-test-pause ${name}\n`);
  // Blocks the thread (no busy loop) until the test kills the process; gives up after a minute.
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 60_000);
}

if (process.env.NETSPEC_TEST_PAUSE_AT) beforeRename.hook = (target) => testPause(path.basename(target));
