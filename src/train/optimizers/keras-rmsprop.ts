/**
 * RMSprop with Keras 3's update (keras/src/optimizers/rmsprop.py), per variable w with gradient g:
 *
 *   v = ρ·v + (1 − ρ)·g²                      (the running mean square, "velocity")
 *   ḡ = ρ·ḡ + (1 − ρ)·g,  d = v − ḡ² + ε      (centered)      d = v + ε   (otherwise)
 *   Δ = lr·g / √d
 *   m = momentum·m + Δ,  w −= m               (momentum > 0)  w −= Δ      (otherwise)
 *
 * Why not tfjs' `tf.train.rmsprop`: its centered branch computes √(v − (ḡ² + ε)), ε with the wrong sign (a
 * variance below ε turns the step into NaN), and it keeps a momentum slot even at momentum 0. PyTorch differs
 * more: ε after the root (√v + ε) and the learning rate outside the momentum buffer. The slots are created as
 * Keras creates them: velocity always, momentum only when momentum > 0, the average gradient only when centered.
 */
import type { NamedTensorMap, Variable } from '@tensorflow/tfjs';
import type { NamedTensor } from '../optimizer';
import { tf } from '../../runtime/tf';

export interface RmspropSettings {
  rho: number;
  epsilon: number;
  momentum: number;
  centered: boolean;
}

type Slot = 'velocity' | 'momentum' | 'average_gradient';

export class KerasRmsprop extends tf.Optimizer {
  static get className(): string {
    return 'KerasRMSprop';
  }

  /** Per slot kind, one variable per trained variable, in the order the gradients arrive. */
  private slots: Record<Slot, Array<{ originalName: string; variable: Variable }>> = { velocity: [], momentum: [], average_gradient: [] };

  constructor(public learningRate: number, private readonly s: RmspropSettings) {
    super();
  }

  private kinds(): Slot[] {
    return ['velocity', ...(this.s.momentum > 0 ? ['momentum' as const] : []), ...(this.s.centered ? ['average_gradient' as const] : [])];
  }

  applyGradients(gradients: NamedTensorMap | NamedTensor[]): void {
    const named: NamedTensor[] = Array.isArray(gradients) ? gradients : Object.keys(gradients).map((name) => ({ name, tensor: gradients[name] }));
    const { rho, epsilon, momentum, centered } = this.s;
    named.forEach(({ name, tensor: g }, i) => {
      const w = tf.engine().registeredVariables[name];
      for (const kind of this.kinds()) {
        this.slots[kind][i] ??= { originalName: `${name}/${kind}`, variable: tf.tidy(() => tf.zerosLike(w).variable(false)) };
      }
      if (g == null) return;
      tf.tidy(() => {
        const v = this.slots.velocity[i].variable;
        v.assign(v.mul(rho).add(g.square().mul(1 - rho)));
        let denominator = v.add(epsilon);
        if (centered) {
          const a = this.slots.average_gradient[i].variable;
          a.assign(a.mul(rho).add(g.mul(1 - rho)));
          denominator = v.sub(a.square()).add(epsilon);
        }
        const increment = g.mul(this.learningRate).div(denominator.sqrt());
        if (momentum > 0) {
          const m = this.slots.momentum[i].variable;
          m.assign(m.mul(momentum).add(increment));
          w.assign(w.sub(m));
        } else {
          w.assign(w.sub(increment));
        }
      });
    });
    this.incrementIterations();
  }

  override dispose(): void {
    for (const kind of this.kinds()) tf.dispose(this.slots[kind].map((s) => s.variable));
  }

  override async getWeights(): Promise<NamedTensor[]> {
    const slots = this.kinds().flatMap((kind) => this.slots[kind].map((s) => ({ name: s.originalName, tensor: s.variable })));
    return [await this.saveIterations(), ...slots];
  }

  override async setWeights(weights: NamedTensor[]): Promise<void> {
    const values = await this.extractIterations(weights);
    const kinds = this.kinds();
    const n = values.length / kinds.length;
    kinds.forEach((kind, k) => {
      this.slots[kind] = values.slice(k * n, (k + 1) * n).map((v) => ({ originalName: v.name, variable: v.tensor.variable(false) }));
    });
  }

  getConfig(): Record<string, number | boolean> {
    return { learningRate: this.learningRate, ...this.s };
  }
}
