/**
 * netspec's GlobalPoolKeepDims, DropPath and ChannelConv1D: the classes of portable-attention.ts, defined against
 * netspec's one `tf`, so the code netspec runs and tests is the code it ships next to saved models.
 */
import { tf } from '../../../runtime/tf';
import { defineAttentionLayers } from './portable-attention';

const attention = defineAttentionLayers(tf);

export const GlobalPoolKeepDims = attention.GlobalPoolKeepDims;
export const DropPath = attention.DropPath;
export const ChannelConv1D = attention.ChannelConv1D;
/** Seeds the drop-path masks of the next training step (the trainer draws it from the run's RNG streams). */
export const setDropPathSeed = attention.setDropPathSeed;
