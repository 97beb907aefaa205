/**
 * Build time of a tfjs model from a spec (parse + validate + IR + lowering + weight initialisation) against the same
 * model written by hand with tfjs layers, Keras-style, in this file. Both run in the same process, alternating, so
 * the ratio does not depend on the machine (target ≤ 1.1×).
 */
import type { LayersModel, SymbolicTensor } from '@tensorflow/tfjs';
import { BackendChoice, selectBackend } from '../src/runtime/backend';
import { buildLayersModel } from '../src/backends/tfjs/build';
import { tf } from '../src/runtime/tf';
import { compileSpec } from '../src/ir/compile';
import { BenchRow } from './types';

const TARGET_RATIO = 1.1;

/**
 * Keras applications' ResNet (keras/src/applications/resnet.py: ResNet, residual_block_v1, stack_residual_blocks_v1)
 * transcribed to tfjs layers. The conv initializer is netspec's (He, fan-out, uniform) rather than Keras'
 * glorot_uniform so both sides draw the same random numbers: the ratio then measures the build, not the RNG.
 */
function handWrittenKerasResNet(blocks: number[]): LayersModel {
  const kernelInitializer = () => tf.initializers.varianceScaling({ scale: 2, mode: 'fanOut', distribution: 'uniform' });
  const conv = (x: SymbolicTensor, filters: number, kernelSize: number, name: string, strides = 1, padding: 'valid' | 'same' = 'valid') =>
    tf.layers.conv2d({ filters, kernelSize, strides, padding, name, kernelInitializer: kernelInitializer() }).apply(x) as SymbolicTensor;
  const bn = (x: SymbolicTensor, name: string) =>
    tf.layers.batchNormalization({ axis: 3, epsilon: 1.001e-5, momentum: 0.99, name }).apply(x) as SymbolicTensor;
  const relu = (x: SymbolicTensor, name: string) => tf.layers.activation({ activation: 'relu', name }).apply(x) as SymbolicTensor;

  function residualBlockV1(x: SymbolicTensor, filters: number, stride: number, convShortcut: boolean, name: string): SymbolicTensor {
    const shortcut = convShortcut ? bn(conv(x, 4 * filters, 1, `${name}_0_conv`, stride), `${name}_0_bn`) : x;
    let y = relu(bn(conv(x, filters, 1, `${name}_1_conv`, stride), `${name}_1_bn`), `${name}_1_relu`);
    y = relu(bn(conv(y, filters, 3, `${name}_2_conv`, 1, 'same'), `${name}_2_bn`), `${name}_2_relu`);
    y = bn(conv(y, 4 * filters, 1, `${name}_3_conv`), `${name}_3_bn`);
    const sum = tf.layers.add({ name: `${name}_add` }).apply([shortcut, y]) as SymbolicTensor;
    return relu(sum, `${name}_out`);
  }

  function stack(x: SymbolicTensor, filters: number, count: number, stride1: number, name: string): SymbolicTensor {
    let y = residualBlockV1(x, filters, stride1, true, `${name}_block1`);
    for (let i = 2; i <= count; i++) y = residualBlockV1(y, filters, 1, false, `${name}_block${i}`);
    return y;
  }

  const input = tf.input({ shape: [224, 224, 3] });
  let x = tf.layers.zeroPadding2d({ padding: [[3, 3], [3, 3]], name: 'conv1_pad' }).apply(input) as SymbolicTensor;
  x = relu(bn(conv(x, 64, 7, 'conv1_conv', 2), 'conv1_bn'), 'conv1_relu');
  x = tf.layers.zeroPadding2d({ padding: [[1, 1], [1, 1]], name: 'pool1_pad' }).apply(x) as SymbolicTensor;
  x = tf.layers.maxPooling2d({ poolSize: 3, strides: 2, name: 'pool1_pool' }).apply(x) as SymbolicTensor;
  [64, 128, 256, 512].forEach((filters, i) => {
    x = stack(x, filters, blocks[i], i === 0 ? 1 : 2, `conv${i + 2}`);
  });
  x = tf.layers.globalAveragePooling2d({ name: 'avg_pool' }).apply(x) as SymbolicTensor;
  // Keras' Dense defaults to glorot_uniform; tfjs' to glorotNormal, so say it.
  x = tf.layers.dense({ units: 1000, activation: 'softmax', kernelInitializer: 'glorotUniform', name: 'predictions' }).apply(x) as SymbolicTensor;
  return tf.model({ inputs: input, outputs: x });
}

function fromSpec(name: string): LayersModel {
  const { graph } = compileSpec(name);
  if (!graph) throw new Error(`benchmark spec ${name} did not compile`);
  return buildLayersModel(graph);
}

/** Milliseconds to build; the model is disposed outside the timed region. */
function time(build: () => LayersModel, expectedParams: number): number {
  const start = process.hrtime.bigint();
  const model = build();
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  const params = model.countParams();
  model.dispose();
  if (params !== expectedParams) throw new Error(`benchmark model has ${params} parameters, expected ${expectedParams}`);
  return ms;
}

const round = (x: number) => Math.round(x * 1000) / 1000;

export interface BuildBenchOptions {
  quick?: boolean;
  backend?: BackendChoice;
  threads?: number;
}

export async function benchBuild(options: BuildBenchOptions = {}): Promise<BenchRow[]> {
  const backend = await selectBackend({ backend: options.backend ?? 'auto', threads: options.threads });
  const cases = [
    { name: 'keras/resnet50', blocks: [3, 4, 6, 3], params: 25_636_712 },
    { name: 'keras/resnet152', blocks: [3, 8, 36, 3], params: 60_419_944 },
  ];
  const reps = options.quick ? 1 : 5;
  // One unmeasured build of each first: module loading, JIT and the schema validators' compilation.
  time(() => fromSpec(cases[0].name), cases[0].params);
  time(() => handWrittenKerasResNet(cases[0].blocks), cases[0].params);
  const rows: BenchRow[] = [];
  for (const c of cases) {
    const spec: number[] = [];
    const hand: number[] = [];
    for (let i = 0; i < reps; i++) {
      // Alternate which goes first so heap growth and GC do not always land on the same side.
      const runSpec = () => spec.push(time(() => fromSpec(c.name), c.params));
      const runHand = () => hand.push(time(() => handWrittenKerasResNet(c.blocks), c.params));
      if (i % 2 === 0) { runSpec(); runHand(); } else { runHand(); runSpec(); }
    }
    // Best of n, as Python's timeit reports: other processes only ever add time, and this machine is shared.
    const value = Math.min(...spec);
    const peerValue = Math.min(...hand);
    rows.push({
      case: `build ${c.name} from spec (target ≤ ${TARGET_RATIO}× hand-written)`,
      backend: backend.name,
      threads: backend.threads,
      unit: 'ms',
      value: round(value),
      peer: 'hand-written tfjs layers',
      peerValue: round(peerValue),
      ratio: round(value / peerValue),
    });
  }
  return rows;
}
