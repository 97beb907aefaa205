/** generated/resnet*.ts build the compiled models, and torchvision's parameter counts (REFERENCE.md, Convention B). */
import { builtinGroup, describeBuiltinModels } from './builtin-models';

describeBuiltinModels(builtinGroup('torchvision'), {
  resnet18: { trainable: 11_689_512 },
  resnet34: { trainable: 21_797_672 },
  resnet50: { trainable: 25_557_032 },
  resnet101: { trainable: 44_549_160 },
  resnet152: { trainable: 60_192_808 },
});
