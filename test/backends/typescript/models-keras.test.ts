/** generated/keras/*.ts build the compiled models, and Keras applications' parameter counts (REFERENCE.md, Convention A). */
import { builtinGroup, describeBuiltinModels } from './builtin-models';

describeBuiltinModels(builtinGroup('keras'), {
  'keras/resnet50': { total: 25_636_712, trainable: 25_583_592, nonTrainable: 53_120 },
  'keras/resnet101': { total: 44_707_176 },
  'keras/resnet152': { total: 60_419_944 },
  'keras/resnet50v2': { total: 25_613_800 },
  'keras/resnet101v2': { total: 44_675_560 },
  'keras/resnet152v2': { total: 60_380_648 },
});
