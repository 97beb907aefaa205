/**
 * The files `saveModel` writes next to a model.json that uses a custom layer (SubsamplePad, GroupedConv2D,
 * GlobalPoolKeepDims, DropPath, ChannelConv1D), so that stock tfjs loads it: an ES module and a UMD script, both
 * made from the source text of `definePortableLayers` (portable.ts) and `defineAttentionLayers`
 * (portable-attention.ts), so they cannot drift from the classes netspec itself runs. Neither imports netspec; each takes the page's or
 * the program's own `tf`, so the layers register in the same tfjs instance that loads the model.
 */
import { definePortableLayers } from './portable';
import { defineAttentionLayers } from './portable-attention';

export const LAYER_MODULE_ESM = 'netspec-layers.js';
export const LAYER_MODULE_UMD = 'netspec-layers.umd.js';

const banner = (file: string) => `/**
 * ${file}: the custom layers of a netspec model (SubsamplePad: option-A shortcuts; GroupedConv2D: grouped
 * convolutions; GlobalPoolKeepDims, ChannelConv1D: channel attention; DropPath: stochastic depth), for loading
 * model.json with stock @tensorflow/tfjs. Written by netspec; no netspec import.
 */
`;

/**
 * Both factories as source text, and one function that registers every class. Built with tsc (target ES2022) it is
 * plain JavaScript: no type syntax remains.
 */
const factory = () => `function definePortableLayers(tf) {
  const define = ${definePortableLayers.toString()};
  const defineAttention = ${defineAttentionLayers.toString()};
  const { setDropPathSeed, ...attention } = defineAttention(tf);
  return { ...define(tf), ...attention };
}`;

/**
 * ES module:
 *   import { registerNetspecLayers } from './model/netspec-layers.js';
 *   registerNetspecLayers(tf);
 */
export function layerModuleEsm(): string {
  return `${banner(LAYER_MODULE_ESM)}${factory()}

/** Registers netspec's layer classes with this tf (the one that will call tf.loadLayersModel). */
export function registerNetspecLayers(tf) {
  return definePortableLayers(tf);
}
`;
}

/**
 * UMD script: in a page after tf.min.js it registers against the global \`tf\` at once; under CommonJS,
 * require('./netspec-layers.umd.js').registerNetspecLayers(require('@tensorflow/tfjs')).
 */
export function layerModuleUmd(): string {
  return `${banner(LAYER_MODULE_UMD)}(function (root, factory) {
  if (typeof module === 'object' && module.exports) module.exports = factory(null);
  else if (typeof define === 'function' && define.amd) define([], function () { return factory(root.tf); });
  else root.netspecLayers = factory(root.tf);
})(typeof self !== 'undefined' ? self : this, function (globalTf) {
  ${factory()}
  const api = { registerNetspecLayers: (tf) => definePortableLayers(tf) };
  if (globalTf) Object.assign(api, api.registerNetspecLayers(globalTf));
  return api;
});
`;
}
