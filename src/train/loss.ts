import type { Tensor } from '@tensorflow/tfjs';
import { tf } from '../runtime/tf';

/**
 * Cross-entropy with label smoothing, from probabilities (a softmax head, as Keras) or from logits (a linear head,
 * as torchvision). Smoothing spreads `smoothing` of the mass uniformly over all classes, as Keras and PyTorch do.
 */
export function crossEntropy(output: Tensor, labels: Int32Array, classes: number, smoothing: number, fromLogits: boolean): Tensor {
  return tf.tidy(() => {
    const onehot = tf.oneHot(tf.tensor1d(labels, 'int32'), classes).toFloat();
    const target = smoothing > 0 ? onehot.mul(1 - smoothing).add(smoothing / classes) : onehot;
    const logProbs = fromLogits ? tf.logSoftmax(output) : tf.log(tf.clipByValue(output, 1e-7, 1));
    return tf.neg(tf.mean(tf.sum(tf.mul(target, logProbs), -1)));
  });
}

/** Number of rows whose highest score is the label (top-1 hits). */
export function top1Hits(output: Tensor, labels: Int32Array): number {
  const argMax = tf.argMax(output, -1);
  const predicted = argMax.dataSync() as Int32Array;
  argMax.dispose();
  let hits = 0;
  for (let i = 0; i < labels.length; i++) if (predicted[i] === labels[i]) hits++;
  return hits;
}
