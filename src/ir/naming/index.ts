import { HeadLayer, NamingScheme } from '../../spec/types';
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

/** The scheme's namer, with the head layers the spec names explicitly (`head.names`) taking those names. */
export function createNamer(scheme: NamingScheme, ctx: NamingContext, headNames: Partial<Record<HeadLayer, string>> = {}): Namer {
  const namer = namingSchemes[scheme](ctx);
  return (scope) => (scope.part === 'head' ? headNames[scope.role.kind as HeadLayer] : undefined) ?? namer(scope);
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
