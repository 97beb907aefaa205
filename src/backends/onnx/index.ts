/** The ONNX backend: IR + weights → an ONNX model file. */
export { exportOnnx, OnnxExportOptions, OnnxLayout, OPSETS } from './export';
