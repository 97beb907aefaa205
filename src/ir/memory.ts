/**
 * How much memory a training step or a forward pass needs at least, from the IR alone, before anything runs.
 *
 * A lower bound of what netspec's tfjs execution holds, on purpose: it is used to refuse a run that cannot fit
 * before its first step, and a refusal must never be wrong. It counts:
 * - the weights (trainable and not), and for training one gradient per trainable weight plus the optimizer's
 *   slots (SGD with momentum 1, Adam 2);
 * - training: every node's output for the whole batch — tfjs has no in-place ops, and a model's call frees the
 *   outputs its gradients do not read only when the call ends — and, while the gradient flows back, the gradient
 *   of the largest activation next to the gradient it is computed from (2 × the largest output);
 * - inference: the input and the two largest outputs at once (a node's input and its output, or a residual sum's
 *   operands).
 * Not torchinfo's "forward/backward pass size" (src/ir/describe.ts, shown by `netspec inspect`): that counts twice
 * the outputs of the layers with parameters only (177.83 MB for ResNet-50), where tfjs holds every node's output,
 * ReLUs and residual sums included, as a tensor of its own.
 * What a framework keeps beyond that (tfjs' tape keeps some intermediates of its own, allocator slack) comes on
 * top. ResNet-50 at 224²: 39.5 M values per example (158 MB), 25.6 M weights; PyTorch 2.13 measured here grew by
 * 83 MB of RSS per example from batch 8 to 64 (in-place ReLUs save a third of the outputs), netspec's onednn
 * backend by 247 MB.
 */
import { IRGraph, IRNode } from './types';

const FLOAT32 = 4;

export interface MemoryEstimate {
  /** Weights, gradients and optimizer slots, in bytes. */
  weights: number;
  /** Activations (and their gradients in training) for the whole batch, in bytes. */
  activations: number;
  total: number;
}

export interface TrainingMemoryOptions {
  batch: number;
  /** Float32 tensors the optimizer keeps per trainable weight: SGD 0, SGD with momentum 1, Adam 2. */
  optimizerSlots: number;
}

const elements = (n: IRNode): number => n.shape.reduce((a, d) => a * d, 1);

function largest(graph: IRGraph, count: number): number {
  return graph.nodes.map(elements).sort((a, b) => b - a).slice(0, count).reduce((a, b) => a + b, 0);
}

export function trainingMemory(graph: IRGraph, o: TrainingMemoryOptions): MemoryEstimate {
  const weights = FLOAT32 * (graph.params.total + graph.params.trainable * (1 + o.optimizerSlots));
  const saved = graph.nodes.reduce((sum, n) => sum + elements(n), 0);
  const activations = FLOAT32 * o.batch * (saved + 2 * largest(graph, 1));
  return { weights, activations, total: weights + activations };
}

export function inferenceMemory(graph: IRGraph, o: { batch: number }): MemoryEstimate {
  const weights = FLOAT32 * graph.params.total;
  const input = graph.nodes.find((n) => n.op === 'input');
  const activations = FLOAT32 * o.batch * ((input ? elements(input) : 0) + largest(graph, 2));
  return { weights, activations, total: weights + activations };
}

/** Optimizer slots per trainable weight, as tfjs' optimizers keep them. */
export function optimizerSlots(optimizer: { type: string; momentum?: number; centered?: boolean }): number {
  if (optimizer.type === 'adam' || optimizer.type === 'adamw') return 2;
  const momentum = (optimizer.momentum ?? 0) > 0 ? 1 : 0;
  // Keras' RMSprop: the velocity, then a momentum slot and a mean-gradient slot when asked for.
  if (optimizer.type === 'rmsprop') return 1 + momentum + (optimizer.centered ? 1 : 0);
  return momentum;
}
