import type { Tensor } from '@tensorflow/tfjs';
import { tf } from '../runtime/tf';
import { normalize } from './augment';
import { probabilities } from './loss';
import { padImage } from './data/adapt';
import { convertChannels, readImageFile, resizeBilinear } from './data/image';
import { ServedModel } from './served-model';

export interface Prediction {
  file: string;
  top: { class: string; index: number; probability: number }[];
}

/** Top-k classes of each image file (PNG or JPEG), prepared the way training prepared its data. */
export function predictFiles(served: ServedModel, files: readonly string[], k: number): Prediction[] {
  const [h, w, c] = served.input;
  const pixels = new Float32Array(files.length * h * w * c);
  files.forEach((file, i) => {
    const img = readImageFile(file);
    let data = convertChannels(img.data, img.width * img.height, img.channels, c);
    const fits = img.height <= h && img.width <= w;
    if (img.height !== h || img.width !== w) {
      data = served.run?.data.adapt.spatial === 'pad' && fits
        ? padImage(data, [img.height, img.width, c], h, w)
        : resizeBilinear(data, [img.height, img.width, c], h, w);
    }
    for (let j = 0; j < data.length; j++) pixels[i * h * w * c + j] = data[j] / 255;
  });
  normalize(pixels, served.normalization);
  const scores = tf.tidy(() => {
    const output = served.model.predict(tf.tensor4d(pixels, [files.length, h, w, c])) as Tensor;
    return probabilities(output, served.fromLogits, served.loss ?? 'categorical_crossentropy');
  });
  const probs = scores.dataSync();
  scores.dispose();
  const classes = probs.length / files.length;
  return files.map((file, i) => {
    const row = Array.from(probs.subarray(i * classes, (i + 1) * classes));
    const top = row.map((p, index) => ({ index, probability: p, class: served.classes?.[index] ?? String(index) }))
      .sort((a, b) => b.probability - a.probability)
      .slice(0, k);
    return { file, top };
  });
}
