/**
 * How the emitted code names a block's layers. A block gets one id from the stage table (Keras `conv2_block1`,
 * torch `layer1.0`, Caffe `2a`) and its functions write each layer's name as a template around it
 * (`${name}_1_conv`, `${name}.conv1`, `res${id}_branch2a`). The templates are not written here: the naming scheme
 * (src/ir/naming) writes them around a placeholder id, so the scheme keeps living in one place; this module only
 * knows how each scheme's stage table and call site spell the block id.
 */
import { NamingScheme } from '../../spec/types';
import { stageName } from '../../ir/naming/stages';
import { Namer } from '../../ir/naming';
import { IRNode } from '../../ir/types';
import { stringLiteral, templateLiteral } from './code';

export interface BlockNaming {
  /** The block functions' parameter that holds the id. */
  param: 'name' | 'id';
  /** The stage table's column the id is built from. */
  stageColumn: { key: 'name' | 'id'; type: string; doc: string; value(stage: number): string };
  /** The id at the call site, from `stage` and `i`. */
  callExpression: string;
  /** A helper the call site needs (Caffe's lettering), as source text. */
  helper?: string;
  /** The id as it appears inside the IR's names. */
  id(stage: number, block: number): string;
}

export function blockNaming(scheme: NamingScheme, blocksPerStage: readonly number[]): BlockNaming {
  switch (scheme) {
    case 'keras':
      return {
        param: 'name',
        stageColumn: { key: 'name', type: 'string', doc: "Keras' stage name: blocks are `${name}_block1`, `${name}_block2`, …", value: (s) => stringLiteral(stageName('keras', s)) },
        callExpression: templateLiteral([{ expr: 'stage.name' }, { text: '_block' }, { expr: 'i + 1' }]),
        id: (s, b) => `${stageName('keras', s)}_block${b + 1}`,
      };
    case 'torch':
      return {
        param: 'name',
        stageColumn: { key: 'name', type: 'string', doc: "torchvision's module name: blocks are `${name}.0`, `${name}.1`, …", value: (s) => stringLiteral(stageName('torch', s)) },
        callExpression: templateLiteral([{ expr: 'stage.name' }, { text: '.' }, { expr: 'i' }]),
        id: (s, b) => `${stageName('torch', s)}.${b}`,
      };
    case 'caffe':
      return caffeNaming(blocksPerStage);
  }
}

/** Caffe's ResNets letter their blocks (res2a, res2b…); the deep ones number long stages instead (res4b22). */
function caffeNaming(blocksPerStage: readonly number[]): BlockNaming {
  const numbered = Math.max(...blocksPerStage) > 6;
  const letter = (stage: number, block: number) =>
    numbered && blocksPerStage[stage] > 3 && block > 0 ? `b${block}` : String.fromCharCode(97 + block);
  const helper = [
    `/** Caffe's block ids: 2a, 2b, 2c, …${numbered ? '; stages of more than 3 blocks count 4a, 4b1, 4b2, … (as res4b22)' : ''}. */`,
    'function blockId(stage: Stage, i: number): string {',
    ...(numbered ? ['  if (stage.blocks > 3 && i > 0) return `${stage.id}b${i}`;'] : []),
    '  return `${stage.id}${String.fromCharCode(97 + i)}`;',
    '}',
  ].join('\n');
  return {
    param: 'id',
    stageColumn: { key: 'id', type: 'number', doc: "Caffe's stage number: blocks are `${id}a`, `${id}b`, … (layers res2a_branch2a, bn2a_branch2a, …)", value: (s) => String(s + 2) },
    callExpression: 'blockId(stage, i)',
    helper,
    id: (s, b) => `${s + 2}${letter(s, b)}`,
  };
}

/** Stands for the block id in a name asked of the scheme; no layer name contains it. */
const ID = '\u0000';

/**
 * A block layer's name as an expression of the block id, from the naming scheme itself: the scheme names the node
 * around a placeholder id (`${name}_1_conv` for Keras, `res${id}_branch2a` for Caffe). Undefined where the scheme's
 * name does not follow from the id (Keras' automatic max-pool names count across the net): such a name is passed
 * to the block function as an argument instead.
 */
export function nameTemplate(namer: Namer, node: IRNode, id: string, param: string): string | undefined {
  const parts = namer(node.scope, ID).split(ID);
  if (parts.join(id) !== node.name) return undefined;
  if (parts.length === 1) return stringLiteral(node.name);
  return templateLiteral(parts.flatMap((text, i) => (i === 0 ? [{ text }] : [{ expr: param }, { text }])));
}
