/**
 * IR graph → one TypeScript module that builds the same tfjs model and imports nothing but @tensorflow/tfjs.
 * Assembled and formatted with ts-morph; the output depends on the IR alone, so emitting twice gives the same bytes.
 */
import { IndentationText, NewLineKind, Project, QuoteKind, StructureKind, VariableDeclarationKind } from 'ts-morph';
import { IRGraph } from '../../ir/types';
import { builderName, commentText } from './code';
import { planBlocks } from './block-plan';
import { blockFunction } from './blocks';
import { builderBody, Property, tables } from './builder';
import { constantSources, helperSources, Uses } from './helpers';
import { MAX_WIDTH, separateDeclarations, wrapLongLines, wrapText } from './layout';
import { classifierOf, networkFacts } from './network';

export interface EmitOptions {
  /** Where the spec came from, for the banner: a built-in name or a file path. */
  source: string;
  /** `--set` overrides the spec was compiled with, for the banner. */
  sets?: readonly string[];
  /** The command that rewrites the file, for the banner (default `netspec emit <source> [--set …]`). */
  regenerate?: string;
}

const namingNotes: Readonly<Record<string, string>> = {
  keras: 'Layer names are Keras applications\' (conv2_block1_1_conv), so converted Keras weights load by name.',
  torch: 'Layer names are torchvision\'s module paths (layer1.0.conv1), so state-dict entries map by name.',
  caffe: 'Layer names are those of the original Caffe models (res2a_branch2a).',
};

export function emitTypeScript(graph: IRGraph, options: EmitOptions): string {
  const facts = networkFacts(graph);
  const plan = planBlocks(graph, facts);
  const uses = new Uses();
  const t = tables(plan, facts);
  const body = builderBody(graph, plan, facts, uses);
  const blocks = plan.kinds.map((k) => blockFunction(plan, k, facts.padding, uses));
  const helpers = helperSources(uses, { bn: facts.bn, convBias: facts.convBias, padName: facts.padName, convInitializer: facts.convInitializer });
  const fn = builderName(graph.name);
  const fc = classifierOf(facts);

  const project = new Project({
    useInMemoryFileSystem: true,
    manipulationSettings: { indentationText: IndentationText.TwoSpaces, quoteKind: QuoteKind.Single, newLineKind: NewLineKind.LineFeed },
  });
  const file = project.createSourceFile('model.ts', `${banner(graph, options)}\nimport * as tf from '@tensorflow/tfjs';\n`);
  file.addInterface({
    name: 'BuildOptions',
    isExported: true,
    docs: [doc(`Options of ${fn}; every one defaults to the spec's value.`)],
    properties: properties([
      { name: 'inputShape', type: '[number, number, number]', optional: true, doc: `Height, width, channels of the input (default ${graph.input.join('×')}).` },
      ...(fc ? [
        { name: 'classes', type: 'number', optional: true, doc: `Width of the classifier (default ${fc.attrs.units}).` },
        { name: 'includeTop', type: 'boolean', optional: true, doc: `Whether the model ends with the classifier (default true); without it, ${withoutTop(facts)}.` },
      ] : []),
    ]),
  });
  const constants = constantSources({ bn: facts.bn, convBias: facts.convBias, padName: facts.padName, convInitializer: facts.convInitializer });
  if (constants.length > 0) file.addStatements(['/** Batch norm settings (momentum in the Keras sense: the weight of the old moving average). */', ...constants].join('\n'));
  file.addInterface({ name: 'Stage', docs: ['One row of the stage table.'], properties: properties(t.stageProperties) });
  file.addVariableStatement({
    declarationKind: VariableDeclarationKind.Const,
    docs: [doc(`The residual stages, in order${graph.stages.length === 4 ? ' (conv2…conv5 of He et al. 2015, Table 1)' : ''}.`)],
    declarations: [{ name: 'STAGES', type: 'readonly Stage[]', initializer: `[\n${t.stageRows.map((r) => `  ${r},`).join('\n')}\n]` }],
  });
  if (t.outIndices) file.addStatements(`/** out_indices: the stages (from 1) whose outputs the model also returns, before the head's. */\n${t.outIndices}`);
  file.addInterface({ name: 'BlockArgs', docs: ['What a block function is told; the rest is the same for every block.'], properties: properties(t.blockArgs) });
  if (t.blockFunctionType) file.addStatements(t.blockFunctionType);
  file.addFunction({
    name: fn,
    isExported: true,
    docs: [doc(`Builds ${commentText(graph.name)} (${graph.blocks.length} residual blocks) with the tfjs functional API.`)],
    parameters: [{ name: 'options', type: 'BuildOptions', initializer: '{}' }],
    returnType: 'tf.LayersModel',
    statements: body.join('\n'),
  });
  for (const text of [...blocks, ...(plan.naming.helper ? [plan.naming.helper] : []), ...helpers]) file.addStatements(`\n${text}`);
  file.replaceWithText(wrapLongLines(separateDeclarations(file.getFullText())));
  file.formatText({ indentSize: 2, convertTabsToSpaces: true, ensureNewLineAtEndOfFile: true });
  return file.getFullText();
}

function properties(list: readonly Property[]) {
  return list.map((p) => ({ kind: StructureKind.PropertySignature as const, name: p.name, type: p.type, hasQuestionToken: p.optional, docs: [doc(p.doc, 2)] }));
}

/** A doc comment's text wrapped to the line width at the given indentation. */
function doc(text: string, indent = 0): string {
  return wrapText(text, MAX_WIDTH - indent - 3).join('\n');
}

function withoutTop(facts: ReturnType<typeof networkFacts>): string {
  const pre = facts.head.filter((h) => !h.top);
  if (pre.length === 0) return 'it ends with the last stage\'s feature map';
  return pre[pre.length - 1].node.shape.length === 1 ? 'it ends with the pooled features' : 'it ends with the feature map after the head\'s BN and ReLU';
}

function banner(graph: IRGraph, options: EmitOptions): string {
  const sets = commentText((options.sets ?? []).map((s) => ` --set ${s}`).join(''));
  const regenerate = commentText(options.regenerate ?? `netspec emit ${options.source}${sets}`);
  const p = graph.params;
  const count = (n: number) => n.toLocaleString('en-US');
  const header = [
    `// Generated by netspec from the spec \`${commentText(options.source)}\`${sets ? ` with${sets}` : ''}.`,
    `// Do not edit: \`${regenerate}\` rewrites this file.`,
  ];
  const paragraphs = [
    `${commentText(graph.name)}: ${count(p.total)} parameters (${count(p.trainable)} trainable), ${(graph.macs / 1e9).toFixed(3)} G multiply-accumulates at ${graph.input.join('×')}. ${namingNotes[graph.naming] ?? ''} Depends only on @tensorflow/tfjs.`,
  ];
  return [...header, '//', ...paragraphs.flatMap((t) => wrapText(t, MAX_WIDTH - 3).map((l) => `// ${l}`))].join('\n') + '\n';
}
