import { error } from '../../diagnostics/diagnostic';
import { SemanticRule } from './rule';

/** Channel counts of images: grey, RGB, RGBA. */
const IMAGE_CHANNELS = new Set([1, 3, 4]);

/**
 * `input` is [height, width, channels]. A shape copied from PyTorch, [3, 224, 224], would otherwise be read as a
 * 3×224 image with 224 channels and compile, with a first conv 75× too wide. It is taken for channels-first when the
 * first number is an image's channel count and the last is not one and is at least 8 (no image is 3 pixels high
 * by 8 or more channels wide in practice; a real 3×W×C spec can still be written by hand as such).
 */
export const channelsFirst: SemanticRule = {
  id: 'channels-first',
  description: 'input is [height, width, channels], not PyTorch\'s [channels, height, width].',
  check({ spec, push }) {
    const [first, second, last] = spec.input;
    if (!IMAGE_CHANNELS.has(first) || IMAGE_CHANNELS.has(last) || last < 8) return;
    push(error('spec/channels-first',
      `input [${spec.input.join(', ')}] is channels-first (C, H, W); netspec reads input as [height, width, channels], which would be a ${first}×${second} image with ${last} channels`,
      '/input', { hint: `did you mean [${second}, ${last}, ${first}]?` }));
  },
};
