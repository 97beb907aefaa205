/**
 * The part of ONNX's protobuf schema (onnx/onnx.proto, IR version 7–10) that an exported netspec model uses, as a
 * protobufjs reflection root. Field numbers are the wire contract and follow onnx.proto exactly; messages and
 * fields the exporter never writes are left out (a reader skips nothing: absent fields are simply not on the wire).
 */
import * as protobuf from 'protobufjs';

const field = (type: string, id: number, rule?: 'repeated') => ({ type, id, ...(rule ? { rule } : {}) });

const onnx = {
  nested: {
    StringStringEntryProto: { fields: { key: field('string', 1), value: field('string', 2) } },
    OperatorSetIdProto: { fields: { domain: field('string', 1), version: field('int64', 2) } },
    TensorProto: {
      fields: {
        dims: field('int64', 1, 'repeated'),
        dataType: field('int32', 2),
        name: field('string', 8),
        rawData: field('bytes', 9),
      },
    },
    AttributeProto: {
      fields: {
        name: field('string', 1),
        f: field('float', 2),
        i: field('int64', 3),
        s: field('bytes', 4),
        t: field('TensorProto', 5),
        floats: field('float', 7, 'repeated'),
        ints: field('int64', 8, 'repeated'),
        type: field('int32', 20),
      },
    },
    NodeProto: {
      fields: {
        input: field('string', 1, 'repeated'),
        output: field('string', 2, 'repeated'),
        name: field('string', 3),
        opType: field('string', 4),
        attribute: field('AttributeProto', 5, 'repeated'),
        docString: field('string', 6),
        domain: field('string', 7),
      },
    },
    TensorShapeProto: {
      fields: { dim: field('TensorShapeProto.Dimension', 1, 'repeated') },
      nested: { Dimension: { fields: { dimValue: field('int64', 1), dimParam: field('string', 2) } } },
    },
    TypeProto: {
      fields: { tensorType: field('TypeProto.Tensor', 1) },
      nested: { Tensor: { fields: { elemType: field('int32', 1), shape: field('TensorShapeProto', 2) } } },
    },
    ValueInfoProto: { fields: { name: field('string', 1), type: field('TypeProto', 2), docString: field('string', 3) } },
    GraphProto: {
      fields: {
        node: field('NodeProto', 1, 'repeated'),
        name: field('string', 2),
        initializer: field('TensorProto', 5, 'repeated'),
        docString: field('string', 10),
        input: field('ValueInfoProto', 11, 'repeated'),
        output: field('ValueInfoProto', 12, 'repeated'),
      },
    },
    ModelProto: {
      fields: {
        irVersion: field('int64', 1),
        producerName: field('string', 2),
        producerVersion: field('string', 3),
        domain: field('string', 4),
        modelVersion: field('int64', 5),
        docString: field('string', 6),
        graph: field('GraphProto', 7),
        opsetImport: field('OperatorSetIdProto', 8, 'repeated'),
        metadataProps: field('StringStringEntryProto', 14, 'repeated'),
      },
    },
  },
};

const root = protobuf.Root.fromJSON({ nested: { onnx } });

export const ModelProto = root.lookupType('onnx.ModelProto');

/** TensorProto.DataType values used here. */
export const DataType = { FLOAT: 1, INT64: 7 } as const;

/** AttributeProto.AttributeType values used here. */
export const AttributeType = { FLOAT: 1, INT: 2, STRING: 3, INTS: 7 } as const;

export type Attribute = { name: string; type: number; f?: number; i?: number; s?: Uint8Array; ints?: number[] };

export interface Node {
  opType: string;
  name: string;
  input: string[];
  output: string[];
  attribute: Attribute[];
}

export interface Initializer {
  name: string;
  dims: number[];
  dataType: number;
  rawData: Uint8Array;
}
