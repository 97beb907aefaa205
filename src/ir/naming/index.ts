import { HeadLayer, NamingScheme } from '../../spec/types';
import { blockKinds } from '../blocks/registry';
import { IRGraph } from '../types';
import { caffeNaming } from './caffe';
import { kerasNaming } from './keras';
import { NamingContext, Namer, NamingFactory } from './scheme';
import { torchNaming } from './torch';

export { NamingContext, Namer } from './scheme';

/** The registry of naming schemes. Names are the contract with weight files: a rename is a breaking change. */
export const namingSchemes: Readonly<Record<NamingScheme, NamingFactory>> = {
  keras: kerasNaming,
  torch: torchNaming,
  caffe: caffeNaming,
};

/**
 * The scheme's namer; with `headNames` (the lowering's), the head layers the spec names explicitly (`head.names`, an
 * item's `name:` in `head.layers`) take those names. The scheme's namer is not asked for those: in Keras a layer
 * given a name does not advance the automatic counter (`dense`, then `dense_1` for the next unnamed one).
 */
export function createNamer(scheme: NamingScheme, ctx: NamingContext, headNames?: Partial<Record<HeadLayer, string>>): Namer {
  const namer = namingSchemes[scheme](ctx);
  if (!headNames) return namer;
  return (scope, blockId) => {
    const given = scope.role.kind === 'head_layer' ? scope.role.name : scope.part === 'head' ? headNames[scope.role.kind as HeadLayer] : undefined;
    return given ?? namer(scope, blockId);
  };
}

/** A fresh namer with the context the graph was lowered with (backends that print names as templates use it). */
export function namerOf(graph: IRGraph): Namer {
  const kinds = new Map(graph.blocks.map((b) => [`${b.stage}/${b.index}`, b.kind]));
  return createNamer(graph.naming, {
    classes: graph.settings.classes,
    blocksPerStage: graph.stages.map((s) => s.blocks),
    deepStem: graph.settings.deepStem,
    isPreact: (stage, block) => blockKinds.get(kinds.get(`${stage}/${block}`) ?? '').activation === 'pre',
  });
}

/**
 * How each scheme names the explicit pad layer of a conv: Keras replaces the conv's `_conv` suffix
 * (`conv2_block1_2_conv` → `conv2_block1_2_pad`), torch and Caffe append `_pad` (`layer1.0.conv2_pad`).
 */
export const padNameRule: Readonly<Record<NamingScheme, 'append' | 'replace'>> = {
  keras: 'replace',
  torch: 'append',
  caffe: 'append',
};
