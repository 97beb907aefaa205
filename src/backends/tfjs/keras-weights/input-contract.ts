/**
 * keras.applications' input contract for its ImageNet weights (imagenet_utils.obtain_input_shape, which raises
 * before any weight loads): 3 channels, at least 32×32 (five stride-2 stages leave 1×1), and exactly 224×224×3 when
 * the top is included. netspec applies it where such weights can go: a Keras file loaded into a net with Keras
 * applications' names and their ImageNet stem (a strided first conv); the Keras CIFAR-10 example's nets (a
 * stride-1 stem) train on 32×32 and are free of it.
 */
import { DiagnosticError, userError } from '../../../diagnostics/diagnostic';
import { IRGraph } from '../../../ir/types';

/** Whether `graph` is a net keras.applications publishes weights for: Keras names, a strided stem conv. */
function isKerasApplicationsNet(graph: IRGraph): boolean {
  const stemConv = graph.nodes.find((n) => graph.stem.includes(n.name) && n.op === 'conv2d');
  return graph.naming === 'keras' && stemConv?.op === 'conv2d' && stemConv.attrs.strides > 1;
}

/** The error keras.applications would raise for this input, or undefined when Keras takes it. */
export function kerasInputError(graph: IRGraph, file: string): DiagnosticError | undefined {
  if (!isKerasApplicationsNet(graph)) return undefined;
  const [h, w, c] = graph.input;
  const shape = `[${graph.input.join(', ')}]`;
  const fail = (message: string, hint: string) => userError('weights/keras-input', `${message}; the spec's input is ${shape}`, { file, hint });
  if (graph.settings.includeTop && (h !== 224 || w !== 224 || c !== 3)) {
    return fail('Keras weights with the top included take input [224, 224, 3] (keras.applications raises for any other shape)',
      'set input to [224, 224, 3], or leave the classifier out (--set head.include_top=false) for other sizes of at least 32×32');
  }
  if (c !== 3) return fail('Keras ImageNet weights take 3-channel input', `set input to [${h}, ${w}, 3] (grey images: repeat the channel)`);
  if (h < 32 || w < 32) return fail('Keras ImageNet weights take input of at least 32×32', `set input to at least [32, 32, ${c}] (upsample smaller images)`);
  return undefined;
}
