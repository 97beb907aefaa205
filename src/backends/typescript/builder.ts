/**
 * The exported builder and the data it loops over: the options type, the stage table (one row per stage, a column
 * for each block argument that varies), the block-argument type, and the builder's body: stem, stages, head.
 */
import { IRGraph } from '../../ir/types';
import { literal, objectLiteral, Value } from './code';
import { BlocksPlan, Field } from './block-plan';
import { Uses } from './helpers';
import { describeLayers, layerExpression } from './layers';
import { classifierOf, NetworkFacts } from './network';
import { callExpression, hasStageColumn, isOptionalColumn, stageEntry } from './patterns';

export interface Property {
  name: string;
  type: string;
  optional?: boolean;
  doc: string;
}

export interface Tables {
  stageProperties: Property[];
  stageRows: string[];
  blockArgs: Property[];
  /** `type BlockFunction = …` when the net mixes block kinds. */
  blockFunctionType?: string;
  outIndices?: string;
}

const render = (f: Field) => f.render ?? literal;

export function tables(plan: BlocksPlan, facts: NetworkFacts): Tables {
  const columns = plan.fields.filter((f) => hasStageColumn(f.pattern));
  const stageProperties: Property[] = [
    { name: plan.naming.stageColumn.key, type: plan.naming.stageColumn.type, doc: plan.naming.stageColumn.doc },
    { name: 'blocks', type: 'number', doc: 'Number of blocks.' },
    ...columns.map((f) => ({
      name: f.key,
      type: f.pattern.kind === 'perBlock' ? `Array<${f.type}${isOptional(f) ? ' | undefined' : ''}>` : f.type,
      optional: isOptionalColumn(f.pattern),
      doc: columnDoc(f),
    })),
  ];
  const stageRows = plan.stages.map((blocks, s) => objectLiteral([
    [plan.naming.stageColumn.key, plan.naming.stageColumn.value(s)],
    ['blocks', String(blocks.length)],
    ...columns.map((f) => [f.key, stageEntry(f.pattern, s, render(f))] as const),
  ]));
  const blockArgs: Property[] = [
    ...plan.fields.filter((f) => f.key !== 'block').map((f) => ({ name: f.key, type: f.type, optional: isOptional(f), doc: f.doc })),
    { name: plan.naming.param, type: 'string', doc: `The block's id in layer names, e.g. ${exampleId(plan)}.` },
  ];
  return {
    stageProperties,
    stageRows,
    blockArgs,
    blockFunctionType: plan.fields.some((f) => f.key === 'block') ? 'type BlockFunction = (x: tf.SymbolicTensor, args: BlockArgs) => tf.SymbolicTensor;' : undefined,
    outIndices: facts.outIndices.length > 0 ? `const OUT_INDICES = ${literal(facts.outIndices)};` : undefined,
  };
}

function isOptional(f: Field): boolean {
  const p = f.pattern;
  if (p.kind === 'stage') return p.values.some((v) => v === undefined);
  if (p.kind === 'perBlock') return p.values.some((stage) => stage.some((v) => v === undefined));
  return false;
}

function columnDoc(f: Field): string {
  const p = f.pattern;
  const rest = 'rest' in p ? (render(f))(p.rest as Value) : '';
  if (p.kind === 'first') return `${f.doc} The stage's first block takes it; the others use ${rest}.`;
  if (p.kind === 'last') return `${f.doc} The stage's last block takes it; the others use ${rest}.`;
  if (p.kind === 'perBlock') return `${f.doc} One entry per block.`;
  return f.doc;
}

function exampleId(plan: BlocksPlan): string {
  const id = plan.naming.id(0, 0);
  return `'${id}'`;
}

/** The body of the exported builder, one statement per entry (blank strings separate sections). */
export function builderBody(graph: IRGraph, plan: BlocksPlan, facts: NetworkFacts, uses: Uses): string[] {
  const fc = classifierOf(facts);
  const ctx = { uses, convBias: facts.convBias, bn: facts.bn, classifier: fc?.name, classes: fc?.attrs.units };
  const options = [`inputShape = ${literal(graph.input)}`, ...(fc ? [`classes = ${fc.attrs.units}`, 'includeTop = true'] : [])];
  const lines = [
    `const { ${options.join(', ')} } = options;`,
    `const input = tf.input({ shape: inputShape, name: ${literal(facts.input.name)} });`,
    '',
    `// Stem: ${describeLayers(facts.stem)}.`,
  ];
  let x = 'input';
  facts.stem.forEach((node, i) => {
    lines.push(`${i === 0 ? 'let x' : 'x'} = ${layerExpression(node, x, ctx)};`);
    x = 'x';
  });
  if (facts.frozenStages === 0) {
    uses.add('freeze');
    lines.push('freeze(input, x); // frozen_stages: 0, the stem does not train');
  }
  lines.push('', ...stageLoop(plan, facts, uses));

  const preTop = facts.head.filter((h) => !h.top);
  const top = facts.head.filter((h) => h.top);
  if (facts.head.length > 0) lines.push('', `// Head: ${describeLayers(facts.head.map((h) => h.node))}.`);
  for (const h of preTop) lines.push(`x = ${layerExpression(h.node, 'x', ctx)};`);
  if (top.length > 0) {
    lines.push('if (includeTop) {', ...top.map((h) => `  x = ${layerExpression(h.node, 'x', ctx)};`), '}');
  }
  lines.push('');
  const name = literal(graph.name);
  if (facts.outIndices.length === 0) {
    lines.push(`return tf.model({ inputs: input, outputs: x, name: ${name} });`);
  } else {
    lines.push('const outputs = OUT_INDICES.map((i) => stageOutputs[i - 1]);');
    if (preTop.length > 0) lines.push('outputs.push(x);');
    else if (top.length > 0) lines.push('if (includeTop) outputs.push(x);');
    lines.push(`return tf.model({ inputs: input, outputs: outputs.length === 1 ? outputs[0] : outputs, name: ${name} });`);
  }
  return lines;
}

function stageLoop(plan: BlocksPlan, facts: NetworkFacts, uses: Uses): string[] {
  const blockField = plan.fields.find((f) => f.key === 'block');
  const usesStageIndex = plan.fields.some((f) => f.pattern.kind === 'netFirst');
  let fn = blockField ? callExpression(blockField.pattern, 'block', render(blockField)) : String(plan.consts.get('block'));
  if (!/^[\w.[\]]+$/.test(fn)) fn = `(${fn})`;
  const args: Array<readonly [string, string]> = [
    ...plan.fields.filter((f) => f.key !== 'block').map((f) => [f.key, callExpression(f.pattern, f.key, render(f))] as const),
    [plan.naming.param, plan.naming.callExpression],
  ];
  const oneLine = `x = ${fn}(x, ${objectLiteral(args)});`;
  const call = oneLine.length + 6 <= 110 ? [oneLine] : [`x = ${fn}(x, {`, ...args.map(([k, v]) => `  ${k}: ${v},`), '});'];
  const lines = [
    '// Residual stages: one row of STAGES each.',
    ...(facts.outIndices.length > 0 ? ['const stageOutputs: tf.SymbolicTensor[] = [];'] : []),
    usesStageIndex ? 'for (const [s, stage] of STAGES.entries()) {' : 'for (const stage of STAGES) {',
    '  for (let i = 0; i < stage.blocks; i++) {',
    ...call.map((l) => `    ${l}`),
    '  }',
  ];
  const frozen = plan.fields.find((f) => f.key === 'frozen');
  if (frozen) {
    uses.add('freeze');
    lines.push('  if (stage.frozen) freeze(input, x);');
  }
  if (facts.outIndices.length > 0) lines.push('  stageOutputs.push(x);');
  lines.push('}');
  if (plan.consts.get('frozen') === true) {
    uses.add('freeze');
    lines.push('freeze(input, x); // frozen_stages: every stage');
  }
  return lines;
}
