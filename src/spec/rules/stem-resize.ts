import { SemanticRule } from './rule';

/**
 * `stem.resize` gives `factor` or `size`, not both; a size is a whole multiple of the input, so every backend
 * repeats or blends pixels alike.
 */
export const stemResize: SemanticRule = {
  id: 'stem-resize',
  description: 'stem.resize has one of factor and size; a size is a whole multiple of the input height and width.',
  check({ spec, report }) {
    const resize = spec.stem.resize;
    if (!resize) return;
    const { factor, size } = resize;
    if ((factor === undefined) === (size === undefined)) {
      report('stem-resize', factor === undefined ? 'stem.resize needs a factor or a size' : 'stem.resize has both factor and size', '/stem/resize', 'give one: factor: 7, or size: [224, 224]');
      return;
    }
    if (!size) return;
    const [h, w] = spec.input;
    if (size[0] % h !== 0 || size[1] % w !== 0) {
      const f = Math.max(1, Math.round(size[0] / h));
      report('stem-resize', `resize to ${size[0]}×${size[1]} is not a whole multiple of the ${h}×${w} input`, '/stem/resize/size',
        `use ${h * f}×${w * f} (factor ${f}), or resize the data to a size that divides it`);
    }
  },
};
