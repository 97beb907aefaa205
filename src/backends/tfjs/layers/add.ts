/**
 * The residual Add, which returns relu(a + b) in one pass where the next layer is a ReLU and the backend fuses the
 * two (the native backends: ../../../runtime/ops/relu-fusion.ts). The ReLU layer after it then passes that
 * through. Same class name, config and serialisation as tfjs' Add (registered under that name); everywhere else,
 * and in every model that is not marked, it is tfjs' Add.
 */
import type { LayersModel, Tensor } from '@tensorflow/tfjs';
import { addReluOp, addReluRuns } from '../../../runtime/ops/relu-fusion';
import { tf } from '../../../runtime/tf';

type Layer = InstanceType<typeof tf.layers.Layer>;
type AddArgs = NonNullable<Parameters<typeof tf.layers.add>[0]>;

/** tfjs exports only a factory; its class is in the serialisation registry (read before this module replaces it). */
const TfjsAdd = tf.serialization.SerializationMap.getMap().classNameMap.Add[0] as unknown as new (args?: AddArgs) => Layer;

export class Add extends TfjsAdd {
  static className = 'Add';

  /** Set by `markAddsBeforeRelu`; not part of the config: a loaded model is marked again when it is prepared. */
  fusesFollowingRelu = false;

  protected mergeFunction(inputs: Tensor[]): Tensor {
    if (this.fusesFollowingRelu && inputs.length === 2 && addReluRuns(inputs[0], inputs[1])) return addReluOp(inputs[0], inputs[1]);
    return (TfjsAdd.prototype as unknown as { mergeFunction(this: Layer, inputs: Tensor[]): Tensor }).mergeFunction.call(this, inputs);
  }
}

const isRelu = (layer: Layer): boolean =>
  layer.getClassName() === 'ReLU' || (layer.getClassName() === 'Activation' && layer.getConfig().activation === 'relu');

/**
 * Marks every Add whose only consumer is a ReLU, and which is no model output, to fuse that ReLU, and unmarks every
 * other. From the model's own topology, so it applies to built, folded and loaded models alike. Layers are shared
 * objects: a model cut at an add's output (`tf.model` over another model's layers) is passed here before it runs,
 * so that it reads a + b there.
 */
export function markAddsBeforeRelu(model: LayersModel): void {
  const outputs = new Set<unknown>(model.outputs.map((t) => t.sourceLayer));
  for (const layer of model.layers) {
    if (!(layer instanceof Add)) continue;
    const readers = layer.outboundNodes.map((node) => node.outboundLayer);
    layer.fusesFollowingRelu = !outputs.has(layer) && readers.length === 1 && isRelu(readers[0]);
  }
}

tf.serialization.registerClass(Add as unknown as Parameters<typeof tf.serialization.registerClass>[0]);
