import type { Tensor } from '@tensorflow/tfjs';
import { tf } from '../runtime/tf';
import { LossConfig } from './config';

/** What the loss of a batch needs to know besides the outputs and labels. */
export interface LossSettings {
  type: LossConfig['type'];
  /** Whether the outputs are logits (a linear head) rather than probabilities. */
  fromLogits: boolean;
  /** Label smoothing ε (0 = none). */
  smoothing: number;
}

/** Keras' clip of probabilities before the log (`backend.epsilon()`), so a 0 or 1 output costs ~16, not ∞. */
const PROBABILITY_EPSILON = 1e-7;

/** The mean loss of a batch: the one function training and evaluation both call. */
export function batchLoss(output: Tensor, labels: Int32Array, classes: number, s: LossSettings): Tensor {
  return s.type === 'binary_crossentropy'
    ? binaryCrossEntropy(output, labels, s.smoothing, s.fromLogits)
    : crossEntropy(output, labels, classes, s.smoothing, s.fromLogits);
}

/**
 * Cross-entropy with label smoothing, from probabilities (a softmax head, as Keras) or from logits (a linear head,
 * as torchvision). Smoothing spreads `smoothing` of the mass uniformly over all classes, as Keras and PyTorch do.
 */
export function crossEntropy(output: Tensor, labels: Int32Array, classes: number, smoothing: number, fromLogits: boolean): Tensor {
  return tf.tidy(() => {
    const onehot = tf.oneHot(tf.tensor1d(labels, 'int32'), classes).toFloat();
    const target = smoothing > 0 ? onehot.mul(1 - smoothing).add(smoothing / classes) : onehot;
    const logProbs = fromLogits ? tf.logSoftmax(output) : tf.log(tf.clipByValue(output, PROBABILITY_EPSILON, 1));
    return tf.neg(tf.mean(tf.sum(tf.mul(target, logProbs), -1)));
  });
}

/**
 * Binary cross-entropy of every output unit against its target, averaged over units and then over the batch (Keras
 * `BinaryCrossentropy`, PyTorch `BCEWithLogitsLoss`/`BCELoss` with mean reduction). Targets: the one-hot labels
 * when there is a unit per class; the label itself (0 or 1) for a head with one unit, a two-class model whose
 * unit scores class 1. Smoothing moves targets towards ½ as Keras does: y·(1 − ε) + ε/2. From logits x the loss is
 * computed as max(x, 0) − x·y + log(1 + e^−|x|), which neither overflows nor loses the tail.
 */
export function binaryCrossEntropy(output: Tensor, labels: Int32Array, smoothing: number, fromLogits: boolean): Tensor {
  return tf.tidy(() => {
    const units = output.shape[output.shape.length - 1]!;
    const y = units === 1 ? tf.tensor2d(Float32Array.from(labels), [labels.length, 1]) : tf.oneHot(tf.tensor1d(labels, 'int32'), units).toFloat();
    const target = smoothing > 0 ? y.mul(1 - smoothing).add(smoothing / 2) : y;
    const perUnit = fromLogits
      ? tf.relu(output).sub(output.mul(target)).add(tf.log1p(tf.exp(tf.neg(tf.abs(output)))))
      : tf.neg(tf.add(
        target.mul(tf.log(tf.clipByValue(output, PROBABILITY_EPSILON, 1 - PROBABILITY_EPSILON))),
        tf.sub(1, target).mul(tf.log(tf.sub(1, tf.clipByValue(output, PROBABILITY_EPSILON, 1 - PROBABILITY_EPSILON)))),
      ));
    return tf.mean(perUnit);
  });
}

/**
 * Class probabilities of a batch's outputs, as the loss reads them: a softmax of logits (categorical), a sigmoid
 * per unit (binary), and for a one-unit head [1 − p, p], the probabilities of classes 0 and 1.
 */
export function probabilities(output: Tensor, fromLogits: boolean, loss: LossConfig['type']): Tensor {
  return tf.tidy(() => {
    if (loss === 'categorical_crossentropy') return fromLogits ? tf.softmax(output) : output.clone();
    const p = fromLogits ? tf.sigmoid(output) : output;
    return output.shape[output.shape.length - 1] === 1 ? tf.concat([tf.sub(1, p), p], 1) : p.clone();
  });
}

/**
 * Each row's predicted class: the highest score, or, for a single-unit (two-class) head, 1 when the unit says more
 * likely than not (probability > ½, logit > 0).
 */
export function predictedClasses(output: Tensor, fromLogits: boolean): Int32Array {
  const units = output.shape[output.shape.length - 1]!;
  const predicted = tf.tidy(() => (units === 1 ? tf.greater(output.reshape([-1]), fromLogits ? 0 : 0.5).toInt() : tf.argMax(output, -1)));
  const values = predicted.dataSync() as Int32Array;
  predicted.dispose();
  return values;
}

/** Number of rows whose predicted class is the label (top-1 hits). */
export function top1Hits(output: Tensor, labels: Int32Array, fromLogits = false): number {
  const predicted = predictedClasses(output, fromLogits);
  let hits = 0;
  for (let i = 0; i < labels.length; i++) if (predicted[i] === labels[i]) hits++;
  return hits;
}
