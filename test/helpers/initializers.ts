/**
 * The closed forms of every initialiser name, written from Keras 3 (keras/src/initializers/random_initializers.py)
 * and torch (torch/nn/init.py), not from netspec's registry: the tests' independent truth.
 */
import { InitializerName } from '../../src/ir/initializers';

/** 2σ-truncated unit normal: its standard deviation (Keras divides by it). */
export const TRUNC = 0.87962566103423978;

/** Per name: the standard deviation of the drawn values and the largest |value| allowed (Infinity: untruncated). */
export function closedForm(name: InitializerName, { fanIn, fanOut }: { fanIn: number; fanOut: number }): { std: number; bound: number } {
  const avg = (fanIn + fanOut) / 2;
  const uniform = (limit: number) => ({ std: limit / Math.sqrt(3), bound: limit });
  const truncated = (std: number) => ({ std, bound: (2 * std) / TRUNC });
  const table: Record<InitializerName, { std: number; bound: number }> = {
    glorot_uniform: uniform(Math.sqrt(6 / (fanIn + fanOut))),
    glorot_normal: truncated(Math.sqrt(1 / avg)),
    he_normal: truncated(Math.sqrt(2 / fanIn)),
    he_uniform: uniform(Math.sqrt(6 / fanIn)),
    // torch.nn.init.kaiming_normal_(mode='fan_out', nonlinearity='relu'): gain √2, std = gain / √fan_out.
    kaiming_normal_fan_out: { std: Math.sqrt(2 / fanOut), bound: Infinity },
    kaiming_uniform_fan_out: uniform(Math.sqrt(6 / fanOut)),
    // keras.initializers.TruncatedNormal(): stddev 0.05 before the cut at ±0.1, so 0.05 × 0.8796 after it.
    truncated_normal: { std: 0.05 * TRUNC, bound: 0.1 },
    lecun_normal: truncated(Math.sqrt(1 / fanIn)),
    // torch's kaiming_uniform_(a=√5): gain √(2 / 6), bound gain·√3 / √fan_in = 1 / √fan_in.
    torch_default: uniform(1 / Math.sqrt(fanIn)),
    zeros: { std: 0, bound: 0 },
  };
  return table[name];
}

