/**
 * The preprocessing that pretrained weights expect, as data: Keras' `preprocess_input` modes
 * (keras/src/applications/imagenet_utils.py, `_preprocess_numpy_input`). Each is a per-channel affine map of the
 * [0, 1] pixels `gatherBatch` gives, after an optional RGB → BGR swap, so one `normalize` applies all of them:
 *   caffe:  x[..., ::-1] − [103.939, 116.779, 123.68]        pixel units, BGR order, no scaling (ResNet50, VGG)
 *   tf:     x / 127.5 − 1                                     [-1, 1] (ResNet50V2, MobileNet, Inception)
 *   torch:  (x / 255 − [0.485, 0.456, 0.406]) / [0.229, 0.224, 0.225]   (DenseNet; torchvision's Normalize)
 * Written in [0, 1] units: caffe's x·255 − m equals (x − m/255) / (1/255), tf's x·2 − 1 equals (x − 0.5) / 0.5.
 */
import { userError } from '../diagnostics/diagnostic';

export type NormalizationPreset = 'caffe' | 'tf' | 'torch';

interface PresetTable {
  /** Reverse the channel order (RGB → BGR) before the affine map, as Keras' caffe mode does. */
  bgr: boolean;
  /** In pixel units (0..255), in the channel order after the swap. */
  mean: [number, number, number];
  std: [number, number, number];
}

const PRESETS: Readonly<Record<NormalizationPreset, PresetTable>> = {
  caffe: { bgr: true, mean: [103.939, 116.779, 123.68], std: [1, 1, 1] },
  tf: { bgr: false, mean: [127.5, 127.5, 127.5], std: [127.5, 127.5, 127.5] },
  torch: { bgr: false, mean: [0.485 * 255, 0.456 * 255, 0.406 * 255], std: [0.229 * 255, 0.224 * 255, 0.225 * 255] },
};

export const NORMALIZATION_PRESETS = Object.keys(PRESETS) as NormalizationPreset[];

export function isNormalizationPreset(name: string): name is NormalizationPreset {
  return Object.prototype.hasOwnProperty.call(PRESETS, name);
}

/** The statistics a preset stands for, in the [0, 1] units `normalize` works in; the presets are for RGB images. */
export function presetStats(preset: NormalizationPreset, channels: number): { kind: 'preset'; preset: NormalizationPreset; bgr: boolean; mean: number[]; std: number[] } {
  if (channels !== 3) {
    throw userError('train/normalize-channels', `augment.normalize: ${preset} is Keras' preprocess_input for RGB images, but the images have ${channels} channel(s)`, {
      pointer: '/train/augment/normalize',
      hint: 'set train.data.adapt.channels to repeat (grey into 3 channels), or use normalize: per_channel',
    });
  }
  const p = PRESETS[preset];
  return { kind: 'preset', preset, bgr: p.bgr, mean: p.mean.map((m) => m / 255), std: p.std.map((s) => s / 255) };
}
