/** The tfjs backend: IR → LayersModel, save/load without tfjs-node, weight transfer by name, verification. */
export { buildLayersModel } from './build';
export { convKernelInitializer, denseKernelInitializer, gammaInitializer, kernelInitializer } from './init';
export { fileHandler, loadArtifacts, MODEL_JSON, modelFileError, modelJsonPath, WEIGHTS_BIN } from './io/file-handler';
export { FrozenBatchNormalization, GroupedConv2D, SubsamplePad } from './layers';
export { LAYER_MODULE_ESM, LAYER_MODULE_UMD, layerModuleEsm, layerModuleUmd } from './layers/layer-module';
export { loadModel, saveModel } from './load';
export { isKerasFile, kerasInputError } from './keras-weights';
export { lowerNode, lowerings } from './lower';
export {
  applyTransfer, formatTransferReport, isComplete, openWeights, planTransfer, readWeights, ShapeMismatch, TransferReport, transferFrom, transferWeights, WeightSource,
} from './transfer';
export { isTorchWeightsFile, readTorchStateDict, stateDictOf, TorchTransfer, transferStateDict } from './torch-weights';
export { compareModel, formatVerifyReport, LayerComparison, verifyGraph, VerifyReport } from './verify';
