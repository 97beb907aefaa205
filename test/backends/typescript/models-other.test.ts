/**
 * The other built-ins' modules (CIFAR, the Keras CIFAR-10 example, Fashion-MNIST…) build the compiled models. The
 * CIFAR ResNets have the sizes of He et al. 2015, §4.2 (0.27 M … 19.4 M), to the paper's two significant digits;
 * the plain nets the exact counts of REFERENCE.md.
 */
import { builtinGroup, describeBuiltinModels } from './builtin-models';

describeBuiltinModels(builtinGroup('other'), {
  'cifar/resnet20': { approxTrainable: 270_000 },
  'cifar/resnet32': { approxTrainable: 460_000 },
  'cifar/resnet44': { approxTrainable: 660_000 },
  'cifar/resnet56': { approxTrainable: 850_000 },
  'cifar/resnet110': { approxTrainable: 1_700_000 },
  'cifar/resnet1202': { approxTrainable: 19_000_000 },
  // REFERENCE.md: the plain nets of the degradation experiment.
  'plain/plain20': { trainable: 269_722 },
  'plain/plain18': { trainable: 11_515_688 },
  'plain/plain34': { trainable: 21_623_848 },
});
