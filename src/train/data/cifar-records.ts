/** What both CIFAR versions decode to, and the pixel layout they share: channel-major rows, 32×32 each. */

const PIXELS = 32 * 32;
export const IMAGE_BYTES = 3 * PIXELS;
/**
 * The batches have no header to say how long they are; the largest published one, CIFAR-100's train.bin, is 154 MB
 * (50,000 records of 3,074 bytes; its pickled `train` is 155 MB). A gzip bomb in its place stops inflating here,
 * not at 1 GiB.
 */
export const MAX_BATCH_FILE_BYTES = 256 * 1024 ** 2;

export interface Records {
  images: Uint8Array;
  labels: Int32Array;
  size: number;
}

/** Copies one channel-major image (1,024 R, 1,024 G, 1,024 B) from `src` at `from` into HWC `dst` at `to`. */
export function planarToHwc(src: Uint8Array, from: number, dst: Uint8Array, to: number): void {
  for (let p = 0; p < PIXELS; p++) {
    dst[to + 3 * p] = src[from + p];
    dst[to + 3 * p + 1] = src[from + PIXELS + p];
    dst[to + 3 * p + 2] = src[from + 2 * PIXELS + p];
  }
}
