/**
 * netspec's SubsamplePad and GroupedConv2D: the classes of portable.ts, defined against netspec's one `tf`, so the
 * code netspec runs and tests is the code it ships next to saved models.
 */
import { tf } from '../../../runtime/tf';
import { definePortableLayers, GroupedConv2DLayer, SubsamplePadLayer } from './portable';

const portable = definePortableLayers(tf);

export const SubsamplePad = portable.SubsamplePad;
export type SubsamplePad = SubsamplePadLayer;
export const GroupedConv2D = portable.GroupedConv2D;
export type GroupedConv2D = GroupedConv2DLayer;
