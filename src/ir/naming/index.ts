import { NamingScheme } from '../../spec/types';
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

export function createNamer(scheme: NamingScheme, ctx: NamingContext): Namer {
  return namingSchemes[scheme](ctx);
}
