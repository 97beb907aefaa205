/** netspec's custom tfjs layers. Importing this module registers them for tf.loadLayersModel. */
export { BatchNormalization } from './batch-norm';
export { FrozenBatchNormalization } from './frozen-batch-norm';
export { GroupedConv2D, GroupedConv2DArgs } from './grouped-conv2d';
export { SubsamplePad, SubsamplePadArgs } from './subsample-pad';
export { DropPath, GlobalPoolKeepDims } from './channel-ops';
