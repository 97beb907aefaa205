/**
 * The memory a run was estimated to need (src/ir/memory.ts), kept where the allocator can quote it: when an
 * allocation fails mid-step, "out of memory" alone does not say whether a smaller batch would fit, the estimate
 * does. Before the first step a run whose lower bound is already beyond the machine's memory is refused.
 */
import * as os from 'os';
import { userError } from '../diagnostics/diagnostic';

export interface MemoryNeed {
  bytes: number;
  /** What was estimated, e.g. "training resnet50 at batch 64". */
  what: string;
}

let current: MemoryNeed | undefined;

export const mib = (bytes: number): string => `${Math.ceil(bytes / 2 ** 20).toLocaleString('en-US')} MiB`;

const BATCH_HINT = 'use a smaller batch size (train.batch_size or --batch-size), or a machine with more memory';

/**
 * Records the estimate for the allocator's error; refuses it up front when it exceeds the machine's memory
 * (`totalBytes`, os.totalmem() unless given).
 */
export function expectMemoryNeed(need: MemoryNeed, totalBytes = os.totalmem()): void {
  if (need.bytes > totalBytes) {
    throw userError('memory/insufficient',
      `${need.what} needs at least ${mib(need.bytes)} (weights, gradients, optimizer state and the activations ` +
      `backpropagation keeps), more than the machine's ${mib(totalBytes)}`, { hint: BATCH_HINT });
  }
  current = need;
}

export function clearMemoryNeed(): void {
  current = undefined;
}

/** The `memory/exhausted` error of an allocation of `bytes` that failed with `heldBytes` in tensors already. */
export function memoryExhausted(bytes: number, heldBytes: number): Error {
  const estimate = current === undefined ? '' : `; ${current.what} was estimated to need at least ${mib(current.bytes)}`;
  return userError('memory/exhausted',
    `out of memory: a tensor of ${mib(bytes)} could not be allocated with ${mib(heldBytes)} held by tensors ` +
    `already (the machine has ${mib(os.totalmem())}, ${mib(os.freemem())} free)${estimate}`, { hint: BATCH_HINT });
}
