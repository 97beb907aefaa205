/**
 * Writes one block function per block kind: post-activation (conv–BN–ReLU units, ReLU after the sum) or
 * pre-activation (BN–ReLU before each conv, the sum left as is), basic (3×3, 3×3) or bottleneck (1×1, 3×3, 1×1). The
 * layers come in the order the IR lowers them (pre-activation, shortcut, residual branch, sum), so the model's
 * layers line up with the compiled one's. Arguments that are the same for every block are written as constants.
 */
import { unitKernel } from '../../ir/blocks/descriptor';
import { ShortcutKind } from '../../spec/types';
import { literal, objectLiteral, Value } from './code';
import { BlocksPlan, KindPlan, stridePlacementMatters } from './block-plan';
import { Uses } from './helpers';
import { MAX_WIDTH, wrapText } from './layout';
import { PaddingRule } from './network';

interface Writer {
  plan: BlocksPlan;
  kind: KindPlan;
  padding: PaddingRule;
  uses: Uses;
  /** Parameters the body reads. */
  params: Set<string>;
  lines: string[];
}

/** The source of the block function for `kind`. */
export function blockFunction(plan: BlocksPlan, kind: KindPlan, padding: PaddingRule, uses: Uses): string {
  const w: Writer = { plan, kind, padding, uses, params: new Set([plan.naming.param]), lines: [] };
  const preact = kind.descriptor.activation === 'pre';
  const filters = filterExpressions(w);
  const out = filters[filters.length - 1];
  const outChannels = /^[\w.[\]]+$/.test(out) ? out : 'outChannels';
  if (outChannels !== out) w.lines.push(`const outChannels = ${out};`);
  filters[filters.length - 1] = outChannels;

  let input = 'x';
  if (preact) input = preactivation(w);
  const shortcut = kind.descriptor.residual ? shortcutCode(w, outChannels, input) : undefined;
  residualBranch(w, filters, input);
  if (has(w, 'attn_fc1')) squeezeExcite(w, outChannels);
  if (has(w, 'drop_path')) dropPath(w);
  w.uses.add('relu');
  if (shortcut === undefined) w.lines.push(`return relu(y, ${name(w, 'out')});`);
  else if (preact) w.lines.push(`return add(${shortcut}, y, ${name(w, 'out')});`);
  else w.lines.push(`return relu(add(${shortcut}, y, ${name(w, 'add')}), ${name(w, 'out')});`);
  if (shortcut !== undefined) w.uses.add('add');

  const fieldKeys = plan.fields.map((f) => f.key).filter((k) => w.params.has(k));
  const destructured = [...fieldKeys, plan.naming.param].join(', ');
  return [
    ...docComment(w),
    `function ${kind.fn}(x: tf.SymbolicTensor, args: BlockArgs): tf.SymbolicTensor {`,
    `  const { ${destructured} } = args;`,
    ...w.lines.map((l) => (l === '' ? '' : `  ${l}`)),
    '}',
  ].join('\n');
}

/** A block argument: its parameter, or its literal when it is the same for every block. */
function arg(w: Writer, key: string): string {
  if (w.plan.fields.some((f) => f.key === key)) {
    w.params.add(key);
    return key;
  }
  const v = w.plan.consts.get(key);
  return v === undefined ? 'undefined' : literal(v);
}

function constArg(w: Writer, key: string): Value | undefined {
  return w.plan.fields.some((f) => f.key === key) ? undefined : w.plan.consts.get(key);
}

function name(w: Writer, role: string): string {
  const expr = w.kind.names.get(role);
  if (expr === undefined) throw new Error(`netspec internal error: block kind ${w.kind.kind} has no layer for role ${role}`);
  if (/^\w+$/.test(expr)) w.params.add(expr);
  return expr;
}

function has(w: Writer, role: string): boolean {
  return w.kind.names.has(role);
}

/** Filters of each conv: `filters`, `4 * filters`, `filters[2]` or literals. */
function filterExpressions(w: Writer): string[] {
  const count = w.kind.descriptor.units.length;
  const f = arg(w, 'filters');
  if (w.plan.filtersForm === 'tuple') {
    const c = constArg(w, 'filters');
    return Array.from({ length: count }, (_, i) => (Array.isArray(c) ? literal(c[i]) : `filters[${i}]`));
  }
  const e = w.kind.expansion ?? 1;
  const c = constArg(w, 'filters');
  const wide = typeof c === 'number' ? String(e * c) : e === 1 ? f : `${e} * ${f}`;
  return [...Array.from({ length: count - 1 }, () => f), wide];
}

function preactivation(w: Writer): string {
  const skip = arg(w, 'skipPreact');
  if (skip === 'true') return 'x';
  w.uses.add('relu');
  const bnRelu = `relu(${batchNorm(w, 'x', 'preact_bn')}, ${name(w, 'preact_relu')})`;
  w.lines.push(skip === 'false' || skip === 'undefined' ? `const preact = ${bnRelu};` : `const preact = ${skip} ? x : ${bnRelu};`);
  return 'preact';
}

/** Writes the shortcut branch; returns the expression of its output. */
function shortcutCode(w: Writer, outChannels: string, preact: string): string {
  const plan = w.kind.shortcut;
  if (plan.mode === 'rule' && plan.rule === 'none') return 'x';
  const stride = arg(w, 'stride');
  const changes = [stride === '1' ? '' : `${stride} !== 1`, `x.shape[3] !== ${outChannels}`].filter(Boolean).join(' || ');
  w.lines.push('let shortcut = x;');
  const branch = (cond: string | undefined, kind: ShortcutKind, keyword = 'if') => {
    const body = shortcutBranch(w, kind, outChannels, preact);
    if (cond === undefined) w.lines.push(...body);
    else w.lines.push(`${keyword} (${cond}) {`, ...body.map((l) => `  ${l}`), '}');
  };
  if (plan.mode === 'explicit') {
    const kinds = plan.kinds.filter((k) => k !== 'identity');
    kinds.forEach((k, i) => branch(`${arg(w, 'shortcutKind')} === ${literal(k)}`, k, i === 0 ? 'if' : '} else if'));
    collapseElse(w);
  } else if (plan.rule === 'maxpool') {
    branch(`x.shape[3] !== ${outChannels}`, 'projection');
    if (has(w, 'shortcut_maxpool') && stride !== '1') {
      w.lines.pop();
      w.lines.push(/^\d+$/.test(stride) ? '} else {' : `} else if (${stride} > 1) {`, ...shortcutBranch(w, 'maxpool', outChannels, preact).map((l) => `  ${l}`), '}');
    }
  } else {
    branch(/^\d+$/.test(stride) && stride !== '1' ? undefined : changes, plan.rule as ShortcutKind);
  }
  w.lines.push('');
  return 'shortcut';
}

/** `} \n } else if` from consecutive branches → one if/else-if chain. */
function collapseElse(w: Writer): void {
  for (let i = w.lines.length - 1; i > 0; i--) {
    if (w.lines[i].startsWith('} else if') && w.lines[i - 1] === '}') w.lines.splice(i - 1, 1);
  }
}

function shortcutBranch(w: Writer, kind: ShortcutKind, outChannels: string, preact: string): string[] {
  const stride = arg(w, 'stride');
  const preactSource = preact === 'x' ? 'x' : shortcutSource(w, preact);
  switch (kind) {
    case 'identity':
      return [];
    case 'projection':
      return [...convShortcut(w, preactSource, outChannels, stride)];
    case 'avg_down': {
      const lines: string[] = [];
      let source = preactSource;
      if (has(w, 'shortcut_avgpool') && stride !== '1') {
        const pool = `apply(tf.layers.averagePooling2d({ poolSize: ${stride}, strides: ${stride}, padding: 'same', name: ${name(w, 'shortcut_avgpool')} }), ${source})`;
        lines.push(/^\d+$/.test(stride) ? `shortcut = ${pool};` : `shortcut = ${stride} > 1 ? ${pool} : ${source};`);
        source = 'shortcut';
      }
      return [...lines, ...convShortcut(w, source, outChannels, '1')];
    }
    case 'maxpool':
      return [`shortcut = apply(tf.layers.maxPooling2d({ poolSize: 1, strides: ${stride}, name: ${name(w, 'shortcut_maxpool')} }), x);`];
    case 'option_a':
      w.uses.add('subsamplePad');
      return [`shortcut = subsamplePad(x, ${outChannels}, ${stride}, ${name(w, 'shortcut_subsample')});`];
  }
}

/** Which tensor a pre-activation block's conv shortcut reads. */
function shortcutSource(w: Writer, preact: string): string {
  const p = arg(w, 'preactShortcut');
  if (p === 'false') return 'x';
  if (p === 'true' || p === 'undefined') return preact;
  return `${p} ? ${preact} : x`;
}

function convShortcut(w: Writer, source: string, outChannels: string, stride: string): string[] {
  w.uses.add('conv2d');
  const bias = w.kind.bias.get('shortcut_conv');
  if (bias !== undefined) w.uses.add('conv.useBias');
  if (bias === '!shortcutNorm') arg(w, 'shortcutNorm');
  const conv = `shortcut = conv2d(${source}, ${outChannels}, 1, ${objectLiteral([['strides', stride === '1' ? undefined : stride], ['useBias', bias], ['name', name(w, 'shortcut_conv')]])});`;
  if (!has(w, 'shortcut_bn')) return [conv];
  const bn = `shortcut = ${batchNorm(w, 'shortcut', 'shortcut_bn')};`;
  const norm = w.kind.descriptor.activation === 'pre' ? 'false' : arg(w, 'shortcutNorm');
  return norm === 'true' || norm === 'undefined' ? [conv, bn] : [conv, `if (${norm}) ${bn}`];
}

/** The residual branch: conv units, BN (not after a pre-activation block's last conv), ReLU between units. */
function residualBranch(w: Writer, filters: string[], input: string): void {
  const kind = w.kind.descriptor;
  const preact = kind.activation === 'pre';
  const kernelSize = constArg(w, 'kernelSize');
  const stride = arg(w, 'stride');
  const strideAt = stridePlacementMatters(kind) ? arg(w, 'strideAt') : "'1x1'";
  const strideUnit = (at: string) => kind.strideUnit[at === "'3x3'" ? '3x3' : '1x1'];
  let current = input;
  let declared = false;
  const assign = (expr: string) => {
    w.lines.push(`${declared ? '' : 'let '}y = ${expr};`);
    declared = true;
    current = 'y';
  };
  kind.units.forEach((u, i) => {
    const unit = i + 1;
    const last = i === kind.units.length - 1;
    const kernel = typeof kernelSize === 'number' ? String(unitKernel(u, kernelSize)) : u.kernel === 1 ? '1' : arg(w, 'kernelSize');
    const carries = (at: string) => strideUnit(at) === i;
    const strides = stride === '1' || (!carries("'1x1'") && !carries("'3x3'")) ? '1'
      : strideAt === "'1x1'" || strideAt === "'3x3'" ? (carries(strideAt) ? stride : '1')
        : `${strideAt} === ${carries("'1x1'") ? "'1x1'" : "'3x3'"} ? ${stride} : 1`;
    const dilation = u.dilated ? arg(w, 'dilation') : '1';
    const groups = u.grouped ? arg(w, 'groups') : '1';
    const bias = w.kind.bias.get(`conv${unit}`);
    const zeroInit = w.kind.zeroInit.has(`conv${unit}`) ? 'true' : undefined;
    if (dilation !== '1') w.uses.add('conv.dilation');
    if (groups !== '1') w.uses.add('conv.groups');
    if (bias !== undefined) w.uses.add('conv.useBias');
    if (zeroInit) w.uses.add('conv.zeroInit');
    let fn = 'conv2d';
    let padding: string | undefined;
    if (kernel !== '1') {
      if (w.padding === 'same') padding = "'same'";
      else if (w.padding === 'explicit') {
        w.uses.add('zeroPad');
        assign(`zeroPad(${current}, ${dilation}, ${name(w, `pad${unit}`)})`);
      } else if (strides === '1') padding = "'same'";
      else fn = 'paddedConv';
    }
    w.uses.add(fn);
    const options = objectLiteral([
      ['strides', strides === '1' ? undefined : strides],
      ['padding', padding],
      ['dilation', dilation === '1' ? undefined : dilation],
      ['groups', groups === '1' ? undefined : groups],
      ['useBias', bias],
      ['zeroInit', zeroInit],
      ['name', name(w, `conv${unit}`)],
    ]);
    assign(`${fn}(${current}, ${filters[i]}, ${kernel}, ${options})`);
    if (!preact || !last) assign(batchNorm(w, 'y', `bn${unit}`));
    if (!last) assign(`relu(y, ${name(w, `relu${unit}`)})`);
  });
}

/** `batchNorm(y, name)`, with `{ gammaZero: true }` for a zero-init residual and `{ frozen }` in frozen stages. */
function batchNorm(w: Writer, input: string, role: string): string {
  w.uses.add('batchNorm');
  const gammaZero = w.kind.gammaZero.has(role) ? 'true' : undefined;
  const frozen = arg(w, 'frozen');
  if (gammaZero) w.uses.add('batchNorm.gammaZero');
  if (frozen !== 'false' && frozen !== 'undefined') w.uses.add('batchNorm.frozen');
  const options = objectLiteral([['gammaZero', gammaZero], ['frozen', frozen === 'false' || frozen === 'undefined' ? undefined : frozen]]);
  return `batchNorm(${input}, ${name(w, role)}${options === '{}' ? '' : `, ${options}`})`;
}

function docComment(w: Writer): string[] {
  const k = w.kind;
  const kind = k.descriptor;
  const preact = kind.activation === 'pre';
  const e = k.expansion ?? 1;
  const wide = w.plan.filtersForm === 'number' && e !== 1 ? `${e} × \`filters\`` : 'the output width';
  const lines = [kind.summary, `Convs: ${convsText(w, wide)}.`];
  const strideAt = constArg(w, 'strideAt');
  if (stridePlacementMatters(kind) && strideAt === '3x3') lines.push(`The stride sits on the 3×3 conv${preact ? '' : ' (torchvision\'s "ResNet v1.5")'}.`);
  if (stridePlacementMatters(kind) && strideAt === '1x1') lines.push(`The stride sits on the first 1×1 conv${preact ? '' : ', as in the paper'}.`);
  const s = k.shortcut;
  const rules: Record<string, string> = {
    none: 'The shortcut is the identity.',
    projection: 'Where the block changes shape, a strided 1×1 conv projects the shortcut; elsewhere it is the identity.',
    option_a: 'Where the block changes shape, the shortcut subsamples and zero-pads channels (option A, no weights); elsewhere it is the identity.',
    avg_down: 'Where the block changes shape, the shortcut average-pools the stride away, then a 1×1 conv projects it (ResNet-D).',
    maxpool: 'A 1×1 conv projects the shortcut where the channels change; where only the size does, a stride-only 1×1 max-pool subsamples it (Keras\' ResNetV2).',
  };
  if (!kind.residual) lines.push('There is no shortcut: the block is plain.');
  else lines.push(s.mode === 'rule' ? rules[s.rule] : 'The shortcut is given per block (`shortcutKind`).');
  if (has(w, 'attn_fc1')) lines.push('Squeeze-and-excitation (timm\'s SEModule) gates the branch\'s channels before the sum.');
  if (has(w, 'drop_path')) lines.push('While training, stochastic depth drops the branch per sample with probability `dropPath`.');
  if (k.gammaZero.size > 0) lines.push('The last BN starts with gamma 0 (zero_init_residual), so the block starts as the identity.');
  if (k.zeroInit.size > 0) lines.push('The last conv starts at zero (zero_init_residual), so the block starts as the identity.');
  return ['/**', ...wrapText(lines.join(' '), MAX_WIDTH - 3).map((l) => ` * ${l}`), ' */'];
}

/** "1×1 down to `filters`, 3×3, 1×1 up to 4 × `filters`" or "two 3×3", from the kind's units. */
function convsText(w: Writer, wide: string): string {
  const units = w.kind.descriptor.units;
  const size = constArg(w, 'kernelSize');
  const k = typeof size === 'number' ? `${size}×${size}` : 'k×k';
  const text = (u: (typeof units)[number]) => (u.kernel === 1 ? '1×1' : k);
  if (units.every((u) => u.kernel !== 1)) return `${['', 'one', 'two', 'three', 'four'][units.length] ?? units.length} ${k}`;
  return units.map((u, i) => {
    if (u.kernel !== 1) return text(u);
    if (i === 0) return '1×1 down to `filters`';
    return i === units.length - 1 ? `1×1 up to ${wide}` : '1×1';
  }).join(', ');
}

/** timm's SEModule on `y`: mean over the map, 1×1 conv down (ReLU), 1×1 conv up (sigmoid), product. */
function squeezeExcite(w: Writer, outChannels: string): void {
  w.uses.add('conv2d', 'relu', 'GlobalPoolKeepDims');
  const bias = constBias(w);
  const conv = (input: string, filters: string, role: string) =>
    `conv2d(${input}, ${filters}, 1, ${objectLiteral([['useBias', bias], ['name', name(w, role)]])})`;
  w.lines.push(
    '',
    `let se = apply(new GlobalPoolKeepDims({ mode: 'avg', name: ${name(w, 'attn_pool')} }), y);`,
    `se = relu(${conv('se', arg(w, 'seChannels'), 'attn_fc1')}, ${name(w, 'attn_relu')});`,
    `se = apply(tf.layers.activation({ activation: 'sigmoid', name: ${name(w, 'attn_gate')} }), ${conv('se', outChannels, 'attn_fc2')});`,
    `y = apply(tf.layers.multiply({ name: ${name(w, 'attn_scale')} }), [y, se]);`,
  );
}

/** The SE convs always have a bias; say so where the network's default is without. */
function constBias(w: Writer): string | undefined {
  const bias = w.kind.bias.get('attn_fc1');
  if (bias !== undefined) w.uses.add('conv.useBias');
  return bias;
}

function dropPath(w: Writer): void {
  w.uses.add('DropPath');
  const rate = arg(w, 'dropPath');
  const layer = `y = apply(new DropPath({ rate: ${rate}, name: ${name(w, 'drop_path')} }), y);`;
  w.lines.push(/^[\d.]+$/.test(rate) ? layer : `if (${rate} > 0) ${layer}`);
}
