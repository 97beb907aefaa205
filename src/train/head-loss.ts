/**
 * The loss as the model's head decides it: whether the outputs are logits (`from_logits: auto` reads the
 * classifier's activation: linear → logits), and which pairings cannot train. A one-unit head under categorical
 * cross-entropy has a softmax over one value, always 1, so its loss is 0 and nothing learns; an explicit
 * `from_logits` that contradicts the head's activation would take the log of a logit or the softmax of a softmax,
 * both silent in Keras and PyTorch. Both are refused where the spec says them.
 */
import { Diagnostic, error } from '../diagnostics/diagnostic';
import { classifierOf } from '../ir/describe';
import { IRGraph } from '../ir/types';
import { LossConfig } from './config';

export interface HeadLoss {
  type: LossConfig['type'];
  fromLogits: boolean;
}

export function headLoss(graph: IRGraph, loss: LossConfig): HeadLoss {
  const head = classifierOf(graph);
  return { type: loss.type, fromLogits: loss.fromLogits === 'auto' ? head?.attrs.activation === 'linear' : loss.fromLogits };
}

/** Problems of the loss with this head, pointers under `base`. */
export function headLossDiagnostics(graph: IRGraph, loss: LossConfig, base = '/train'): Diagnostic[] {
  const head = classifierOf(graph);
  if (!head) return [];
  const out: Diagnostic[] = [];
  const activation = head.attrs.activation;
  if (loss.fromLogits !== 'auto' && loss.fromLogits !== (activation === 'linear')) {
    out.push(error('train/from-logits-head', `loss.from_logits is ${loss.fromLogits} but the head's activation is ${activation}, whose outputs are ${activation === 'linear' ? 'logits' : 'probabilities'}`,
      `${base}/loss/from_logits`, { hint: `use from_logits: auto (${activation === 'linear'} for this head), or change the head's activation` }));
  }
  if (head.attrs.units === 1 && loss.type === 'categorical_crossentropy') {
    out.push(error('train/one-unit-categorical', 'a head with one unit needs loss.type binary_crossentropy: the softmax of one value is always 1, so categorical cross-entropy is 0 and nothing trains',
      `${base}/loss/type`, { hint: 'set train.loss.type=binary_crossentropy and give the head a sigmoid activation (a two-class model)' }));
  }
  return out;
}

/** Whether a classifier of `units` outputs scores `classes` classes: one unit per class, or one for two classes. */
export function unitsFit(units: number, classes: number): boolean {
  return units === classes || (units === 1 && classes === 2);
}
