import { TrainRule } from './train-rule';

/** Keras-style shifts and torchvision-style pad-and-crop are the same translation; both at once doubles it. */
export const shiftAndPadCrop: TrainRule = {
  id: 'shift-and-pad-crop',
  description: 'augment.shift and augment.pad_crop are not both on.',
  check(c, report, base) {
    if (c.augment.shift > 0 && c.augment.padCrop > 0) {
      report('augment.shift and augment.pad_crop are two forms of the same translation; use one', `${base}/augment/pad_crop`, 'set augment.shift: 0 to use pad_crop');
    }
  },
};
