/** Each diagnostic kind with its exact message shape, location and hint. */
import { renderDiagnostic } from '../../src/diagnostics/render';
import { closest, editDistance } from '../../src/diagnostics/suggest';
import { compileSpec, compileSpecText } from '../../src/ir/compile';
import { diagnosticsOf } from '../helpers/compile';

const at = (d: { location?: { line: number; column: number } }) => `${d.location?.line}:${d.location?.column}`;

describe('did-you-mean', () => {
  test('edit distance counts a swapped pair as one edit', () => {
    expect(editDistance('stgaes', 'stages')).toBe(1);
    expect(editDistance('kitten', 'sitting')).toBe(3);
  });
  test('suggests only plausible typos', () => {
    expect(closest('bottlenek', ['basic', 'bottleneck'])).toBe('bottleneck');
    expect(closest('zzz', ['basic', 'bottleneck'])).toBeUndefined();
  });
});

describe('schema diagnostics', () => {
  test('unknown key: points at the key, suggests the property', () => {
    const [d] = diagnosticsOf('netspec: 1\nextends: resnet50\nhaed: { classes: 10 }\n');
    expect(d).toMatchObject({ code: 'schema/unknown-property', pointer: '/haed', hint: "did you mean 'head'?" });
    expect(at(d)).toBe('3:1');
    expect(d.message).toBe("unknown property 'haed'");
  });
  test('enum: names the allowed values and the closest one', () => {
    const [d] = diagnosticsOf('netspec: 1\nextends: resnet50\nnaming: kears\n');
    expect(d.message).toBe("expected one of keras, torch, caffe; got 'kears'");
    expect(d.hint).toBe("did you mean 'keras'?");
    expect(at(d)).toBe('3:9');
  });
  test('type: expected vs received', () => {
    const [d] = diagnosticsOf('netspec: 1\nextends: resnet50\nzero_init_residual: yes please\n');
    expect(d.message).toBe("expected a boolean; got 'yes please'");
    expect(at(d)).toBe('3:21');
  });
  test('range: the bound and the value', () => {
    const [d] = diagnosticsOf('netspec: 1\nextends: resnet50\nhead:\n  classes: 0\n');
    expect(d.message).toBe('expected a number >= 1; got 0');
    expect(at(d)).toBe('4:12');
  });
  test('every problem in a file is reported, not just the first', () => {
    const ds = diagnosticsOf('netspec: 1\nextends: resnet50\nnaming: kears\nhaed: {}\ndepth: -3\n');
    expect(ds.map((d) => d.pointer).sort()).toEqual(['/depth', '/haed', '/naming']);
  });
  test('a missing required field after merging points at its parent and hints at extends', () => {
    const [d] = diagnosticsOf('netspec: 1\nblock: basic\nstem: { filters: 16 }\nstages: [{ filters: 16, blocks: 1 }]\n');
    expect(d).toMatchObject({ code: 'schema/missing-property', message: "missing required property 'input'" });
    expect(d.hint).toMatch(/extends/);
  });
});

describe('semantic diagnostics', () => {
  test('CIFAR depth names the nearest valid depths', () => {
    const [d] = diagnosticsOf('netspec: 1\nextends: cifar/resnet20\ndepth: 22\n');
    expect(d.code).toBe('semantic/depth-rule');
    expect(d.message).toMatch(/^depth 22 is not 6n\+2/);
    expect(d.hint).toBe('nearest valid depths: 20 and 26');
    expect(at(d)).toBe('3:8');
  });
  test('Keras CIFAR v2 uses 9n+2', () => {
    const [d] = diagnosticsOf('netspec: 1\nextends: keras-cifar/resnet_v2\ndepth: 30\n');
    expect(d.message).toMatch(/^depth 30 is not 9n\+2/);
    expect(d.hint).toBe('nearest valid depths: 29 and 38');
  });
  test('a depth missing from the ImageNet table names the table', () => {
    const [d] = diagnosticsOf('netspec: 1\nextends: resnet50\ndepth: 49\n');
    expect(d.message).toBe('depth 49 is not in the imagenet table (18, 26, 34, 50, 101, 152, 200)');
    expect(d.hint).toBe('nearest: 50');
  });
  test('spatial collapse names the layer', () => {
    const ds = diagnosticsOf('netspec: 1\nextends: keras-cifar/resnet_v1\ninput: [16, 16, 3]\n');
    expect(ds).toHaveLength(1);
    expect(ds[0].code).toBe('semantic/spatial-collapse');
    expect(ds[0].message).toBe('the feature map collapses to 0×0 at layer avg_pool (avg_pool on 4×4)');
  });
  test('--set problems point into the command line', () => {
    const ds = diagnosticsOf('netspec: 1\nextends: resnet50\n', ['stages.7.blocks=2']);
    expect(ds[0]).toMatchObject({ code: 'cli/set-path', location: { file: '<command line>', line: 1 } });
    const typed = diagnosticsOf('netspec: 1\nextends: resnet50\n', ['stages.0.blocks=many']);
    expect(typed[0]).toMatchObject({ code: 'schema/type', location: { file: '<command line>', line: 1, column: 17 } });
  });
  test('an unknown built-in suggests the closest name', () => {
    const [d] = diagnosticsOf('netspec: 1\nextends: keras/resnet05\n');
    expect(d).toMatchObject({ code: 'spec/unknown-builtin', hint: "did you mean 'keras/resnet50'?" });
    expect(at(d)).toBe('2:10');
  });
});

describe('rendering', () => {
  test('file:line:col, the source line and a caret under the offending text', () => {
    const result = compileSpecText('netspec: 1\nextends: resnet50\nblock: bottlenek\n', 'my.yaml');
    const text = renderDiagnostic(result.diagnostics[0], result.sources);
    expect(text.split('\n')).toEqual([
      "my.yaml:3:8: error: expected one of basic, bottleneck, preact_basic, preact_bottleneck, plain; got 'bottlenek' [schema/enum at /block]",
      '  3 | block: bottlenek',
      '             ^^^^^^^^^',
      "  hint: did you mean 'bottleneck'?",
    ]);
  });
});

describe('hostile input stays bounded', () => {
  test('an alias bomb is refused before expansion', () => {
    const bomb = ['netspec: 1', 'a: &a [x, x, x, x, x, x, x, x, x, x]'];
    for (let i = 1; i < 9; i++) bomb.push(`${'abcdefghij'[i]}: &${'abcdefghij'[i]} [${Array(10).fill(`*${'abcdefghij'[i - 1]}`).join(', ')}]`);
    const before = process.memoryUsage().heapUsed;
    const [d] = diagnosticsOf(bomb.join('\n'));
    expect(d.code).toBe('parse/aliases');
    expect(process.memoryUsage().heapUsed - before).toBeLessThan(200 * 1024 * 1024);
  });
  test('a huge file is refused without parsing', () => {
    const [d] = diagnosticsOf('netspec: 1\ndescription: "' + 'x'.repeat(2 << 20) + '"\n');
    expect(d.code).toBe('parse/too-large');
  });
  test('absurd sizes are schema errors, not allocations', () => {
    expect(diagnosticsOf('netspec: 1\nextends: cifar/resnet20\ndepth: 600002\n')[0].code).toBe('schema/range');
    expect(diagnosticsOf('netspec: 1\nextends: resnet50\ninput: [9000, 9000, 3]\n')[0].code).toBe('schema/range');
  });
});

describe('--set on a built-in named on the command line', () => {
  // A built-in is valid as shipped (every built-in compiles, tested), so an error in it can only come from --set.
  test('an error the --set causes in the built-in is shown on the command line, the built-in line in the hint', () => {
    const r = compileSpec('cifar/resnet20', { sets: ['train.lr=0.1', 'stages.2.filters=16'] });
    const errors = r.diagnostics.filter((d) => d.severity === 'error');
    expect(errors.map((d) => [d.code, d.location?.file, d.location?.line])).toEqual([['semantic/option-a-channels', '<command line>', 2]]);
    expect(errors[0].hint).toMatch(/inherited from specs\/base\/cifar\.yaml:\d+:\d+/);
  });
});
