/** Accumulates the nodes and initializers of one ONNX graph, naming each value once. */
import { Attribute, AttributeType, DataType, Initializer, Node } from './proto';

export type AttrValue = number | number[] | string | { float: number };

function attribute(name: string, value: AttrValue): Attribute {
  if (Array.isArray(value)) return { name, type: AttributeType.INTS, ints: value };
  if (typeof value === 'string') return { name, type: AttributeType.STRING, s: new TextEncoder().encode(value) };
  if (typeof value === 'object') return { name, type: AttributeType.FLOAT, f: value.float };
  return { name, type: AttributeType.INT, i: value };
}

export class GraphBuilder {
  readonly nodes: Node[] = [];
  readonly initializers: Initializer[] = [];
  /** IR node name → the ONNX value holding its output (a folded BN or fused ReLU reads its input's value). */
  private readonly values = new Map<string, string>();
  private readonly used = new Set<string>();

  /** A fresh value name based on `base`. */
  unique(base: string): string {
    let name = base;
    for (let i = 1; this.used.has(name); i++) name = `${base}_${i}`;
    this.used.add(name);
    return name;
  }

  /** Keeps `name` free for `op(…, { exact: true })` (graph outputs keep their IR names). */
  reserve(name: string): void {
    this.used.add(name);
  }

  /** Adds a node and returns its single output's name (`name` itself with `exact`, which must be reserved). */
  op(opType: string, inputs: string[], name: string, attrs: Record<string, AttrValue> = {}, exact = false): string {
    const output = exact ? name : this.unique(name);
    this.nodes.push({
      opType, name: output, input: inputs, output: [output],
      attribute: Object.entries(attrs).map(([k, v]) => attribute(k, v)),
    });
    return output;
  }

  float(name: string, dims: number[], values: Float32Array): string {
    const n = this.unique(name);
    this.initializers.push({ name: n, dims, dataType: DataType.FLOAT, rawData: new Uint8Array(values.buffer, values.byteOffset, values.byteLength) });
    return n;
  }

  int64(name: string, values: number[]): string {
    const n = this.unique(name);
    const data = BigInt64Array.from(values.map((v) => BigInt(v)));
    this.initializers.push({ name: n, dims: [values.length], dataType: DataType.INT64, rawData: new Uint8Array(data.buffer) });
    return n;
  }

  setValue(irName: string, value: string): void {
    this.values.set(irName, value);
  }

  valueOf(irName: string): string {
    const v = this.values.get(irName);
    if (v === undefined) throw new Error(`invariant: ONNX value of '${irName}' requested before it was built`);
    return v;
  }
}
