/**
 * `netspec compile --weights <Keras file>` holds a keras.applications net to Keras' input contract
 * (imagenet_utils.obtain_input_shape): exactly 224×224×3 with the top, 3 channels and at least 32×32 without it.
 * The check comes before the file is read, so a file that is not HDF5 shows which check ran: the contract (exit 2,
 * `weights/keras-input`) or the file reader after it (`model-file/invalid`).
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { netspec } from '../../helpers/cli';

let dir: string;
let h5: string;
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'netspec-keras-input-'));
  h5 = path.join(dir, 'resnet50_weights_tf_dim_ordering_tf_kernels.h5');
  fs.writeFileSync(h5, 'not an HDF5 file');
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const compile = (spec: string, sets: string[]) =>
  netspec('compile', spec, ...sets.flatMap((s) => ['--set', s]), '--weights', h5, '--out', path.join(dir, 'out'), '--backend', 'cpu');

test.each([
  ['keras/resnet50', ['input=[160, 160, 3]'],
    'Keras weights with the top included take input [224, 224, 3] (keras.applications raises for any other shape); the spec\'s input is [160, 160, 3]',
    'set input to [224, 224, 3], or leave the classifier out (--set head.include_top=false) for other sizes of at least 32×32'],
  ['keras/resnet50v2', ['input=[224, 224, 1]'],
    'Keras weights with the top included take input [224, 224, 3] (keras.applications raises for any other shape); the spec\'s input is [224, 224, 1]',
    'set input to [224, 224, 3], or leave the classifier out (--set head.include_top=false) for other sizes of at least 32×32'],
  ['keras/resnet50', ['head.include_top=false', 'input=[160, 160, 1]'],
    'Keras ImageNet weights take 3-channel input; the spec\'s input is [160, 160, 1]', 'set input to [160, 160, 3] (grey images: repeat the channel)'],
  ['keras/resnet101', ['head.include_top=false', 'input=[28, 64, 3]'],
    'Keras ImageNet weights take input of at least 32×32; the spec\'s input is [28, 64, 3]', 'set input to at least [32, 32, 3] (upsample smaller images)'],
])('%s %s: exit 2 with Keras\' contract', async (spec, sets, message, hint) => {
  const run = await compile(spec, sets);
  expect(run.code).toBe(2);
  expect(run.stderr).toBe(`${h5}: error: ${message} [weights/keras-input]\n  hint: ${hint}\n`);
  expect(run.stdout).toBe('');
  expect(fs.existsSync(path.join(dir, 'out'))).toBe(false);
});

test.each([
  ['keras/resnet50', [], 'the ImageNet shape with the top'],
  ['keras/resnet50', ['head.include_top=false', 'input=[96, 128, 3]'], 'another size of at least 32×32 without the top'],
  ['keras-cifar/resnet_v1', [], 'the Keras CIFAR-10 example (a stride-1 stem, 32×32)'],
  ['resnet50', ['input=[160, 160, 3]'], 'a torchvision-named net'],
])('%s %s passes the contract (%s) and fails only on the file', async (spec, sets) => {
  const run = await compile(spec, sets);
  expect(run.code).toBe(2);
  expect(run.stderr).toContain('[model-file/invalid]');
  expect(run.stderr).not.toContain('weights/keras-input');
});
