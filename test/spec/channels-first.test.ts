/**
 * `input: [3, 224, 224]` (PyTorch's C×H×W) is an error at the input line, with the H×W×C shape as the hint; shapes
 * that are H×W×C, or that do not look like a channels-first image, pass.
 */
import { diagnosticsOf } from '../helpers/compile';

const spec = (input: string) => `netspec: 1
name: net
input: ${input}
stem: { filters: 8, kernel: 3, stride: 1, pool: none }
block: basic
stages:
  - { blocks: 1, filters: 8, stride: 1 }
`;

test.each([
  ['[3, 224, 224]', '[224, 224, 3]', 'a 3×224 image with 224 channels'],
  ['[1, 28, 28]', '[28, 28, 1]', 'a 1×28 image with 28 channels'],
  ['[4, 32, 48]', '[32, 48, 4]', 'a 4×32 image with 48 channels'],
])('input %s is rejected at line 3, column 8, with the hint %s', (input, hint, reading) => {
  const found = diagnosticsOf(spec(input));
  expect(found.map((d) => [d.code, d.location?.line, d.location?.column, d.pointer, d.hint])).toEqual([
    ['spec/channels-first', 3, 8, '/input', `did you mean ${hint}?`],
  ]);
  expect(found[0].message).toBe(`input ${input} is channels-first (C, H, W); netspec reads input as [height, width, channels], which would be ${reading}`);
});

test.each([
  ['[224, 224, 3]', 'channels last'],
  ['[28, 28, 1]', 'grey channels last'],
  ['[3, 64, 4]', 'the last number is an image channel count'],
  ['[3, 64, 5]', 'the last number is under 8'],
  ['[8, 64, 64]', 'the first number is not an image channel count'],
])('input %s passes (%s)', (input) => {
  expect(diagnosticsOf(spec(input)).filter((d) => d.code === 'spec/channels-first')).toEqual([]);
});
