/**
 * IR + a model's weights → an ONNX model (protobuf bytes). The graph is built from the IR's flat node list, so
 * every spec exports through the same table (ops.ts); weights are read by layer name, as everywhere in netspec.
 *
 * Layout: the graph computes in NCHW. With `layout: 'nhwc'` (default: the tfjs model's own input) the input is
 * [N, H, W, C] and a Transpose follows it, and feature-map outputs are transposed back; `'nchw'` takes and gives
 * NCHW as torchvision does. The batch axis is symbolic (`N`).
 */
import type { LayersModel } from '@tensorflow/tfjs';
import { IRGraph, Shape } from '../../ir/types';
import { GraphBuilder } from './builder';
import { lowerNode } from './ops';
export { OPSETS } from './opsets';
import { DataType, ModelProto } from './proto';
import { modelWeights } from './weights';

export type OnnxLayout = 'nhwc' | 'nchw';

export interface OnnxExportOptions {
  opset: number;
  layout: OnnxLayout;
  /** Written to `metadata_props` (spec text, its sha256, netspec's version…), in this order. */
  metadata: Record<string, string>;
  producerVersion: string;
}

/** ONNX IR version that goes with an opset (onnx/helper.py's VERSION_TABLE). */
function irVersionFor(opset: number): number {
  return opset <= 14 ? 7 : opset <= 18 ? 8 : opset <= 20 ? 9 : 10;
}

const toNchw = (hwc: Shape) => (hwc.length === 3 ? [hwc[2], hwc[0], hwc[1]] : hwc);

function valueInfo(name: string, dims: number[]) {
  return {
    name,
    type: { tensorType: { elemType: DataType.FLOAT, shape: { dim: [{ dimParam: 'N' }, ...dims.map((d) => ({ dimValue: d }))] } } },
  };
}

export function exportOnnx(graph: IRGraph, model: LayersModel, options: OnnxExportOptions): Uint8Array {
  const b = new GraphBuilder();
  const layers = modelWeights(model);
  const byName = new Map(graph.nodes.map((n) => [n.name, n]));
  const shapeOf = (name: string) => byName.get(name)!.shape;
  const nhwc = options.layout === 'nhwc';
  const featureMap = (name: string) => shapeOf(name).length === 3;
  for (const name of graph.outputs) if (nhwc && featureMap(name)) b.reserve(name);
  const cx = { b, shapeOf, layer: (name: string) => layers.get(name) };

  const inputs = graph.nodes.filter((n) => n.op === 'input');
  for (const input of inputs) {
    b.reserve(input.name);
    b.setValue(input.name, nhwc ? b.op('Transpose', [input.name], `${input.name}/nchw`, { perm: [0, 3, 1, 2] }) : input.name);
  }
  for (const node of graph.nodes) {
    if (node.op !== 'input') b.setValue(node.name, lowerNode(node, node.inputs.map((i) => b.valueOf(i)), cx));
  }
  const outputs = graph.outputs.map((name) => {
    if (!(nhwc && featureMap(name))) return valueInfo(b.valueOf(name), toNchw(shapeOf(name)));
    b.op('Transpose', [b.valueOf(name)], name, { perm: [0, 2, 3, 1] }, true);
    return valueInfo(name, shapeOf(name));
  });

  const message = ModelProto.fromObject({
    irVersion: irVersionFor(options.opset),
    opsetImport: [{ domain: '', version: options.opset }],
    producerName: 'netspec',
    producerVersion: options.producerVersion,
    graph: {
      name: graph.name,
      node: b.nodes,
      initializer: b.initializers,
      input: inputs.map((n) => valueInfo(n.name, nhwc ? n.shape : toNchw(n.shape))),
      output: outputs,
    },
    metadataProps: Object.entries(options.metadata).map(([key, value]) => ({ key, value })),
  });
  return ModelProto.encode(message).finish();
}
