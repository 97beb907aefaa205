/**
 * generated/cifar/*.ts and generated/keras-cifar/*.ts build the compiled models. The CIFAR ResNets have the sizes of
 * He et al. 2015, §4.2 (0.27 M … 19.4 M); the Keras example's counts follow from its layers (resnet_v1: 3×3 convs
 * with bias, 1×1 projections without BN).
 */
import { describeBuiltinModels } from './builtin-models';

describeBuiltinModels({
  'cifar/resnet20': { approxTrainable: 270_000 },
  'cifar/resnet32': { approxTrainable: 460_000 },
  'cifar/resnet44': { approxTrainable: 660_000 },
  'cifar/resnet56': { approxTrainable: 850_000 },
  'cifar/resnet110': { approxTrainable: 1_700_000 },
  'cifar/resnet1202': { approxTrainable: 19_000_000 },
  'keras-cifar/resnet_v1': {},
  'keras-cifar/resnet_v2': {},
});
