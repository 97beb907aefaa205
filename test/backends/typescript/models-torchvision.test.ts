/**
 * generated/resnet*.ts and the timm variants build the compiled models, and torchvision's and timm's parameter counts
 * (REFERENCE.md, Convention B and "More reference counts").
 */
import { builtinGroup, describeBuiltinModels } from './builtin-models';

describeBuiltinModels(builtinGroup('torchvision'), {
  resnet18: { trainable: 11_689_512 },
  resnet34: { trainable: 21_797_672 },
  resnet50: { trainable: 25_557_032 },
  resnet101: { trainable: 44_549_160 },
  resnet152: { trainable: 60_192_808 },
  resnet50d: { trainable: 25_576_264 },
  seresnet50: { trainable: 28_088_024 },
  seresnext50_32x4d: { trainable: 27_559_896 },
});
