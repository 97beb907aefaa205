/** netspec's custom tfjs layers. Importing this module registers them for tf.loadLayersModel. */
export { Add, markAddsBeforeRelu } from './add';
export { BatchNormalization } from './batch-norm';
export { Conv2D } from './conv2d';
export { GroupedConv2D, SubsamplePad } from './custom';
export { FrozenBatchNormalization } from './frozen-batch-norm';
export { GroupedConv2DArgs, SubsamplePadArgs } from './portable';
export { ChannelConv1D, DropPath, GlobalPoolKeepDims } from './channel-ops';
