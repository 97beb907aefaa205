/**
 * The files `saveModel` writes next to a model.json that uses SubsamplePad or GroupedConv2D, so that stock tfjs
 * loads it: an ES module and a UMD script, both made from the source text of `definePortableLayers` (portable.ts),
 * so they cannot drift from the classes netspec itself runs. Neither imports netspec; each takes the page's or
 * the program's own `tf`, so the layers register in the same tfjs instance that loads the model.
 */
import { definePortableLayers } from './portable';

export const LAYER_MODULE_ESM = 'netspec-layers.js';
export const LAYER_MODULE_UMD = 'netspec-layers.umd.js';

const banner = (file: string) => `/**
 * ${file}: the custom layers of a netspec model (SubsamplePad: option-A shortcuts; GroupedConv2D: grouped
 * convolutions), for loading model.json with stock @tensorflow/tfjs. Written by netspec; no netspec import.
 */
`;

/** The factory as source text. Built with tsc (target ES2022) it is plain JavaScript: no type syntax remains. */
const factory = () => definePortableLayers.toString();

/**
 * ES module:
 *   import { registerNetspecLayers } from './model/netspec-layers.js';
 *   registerNetspecLayers(tf);
 */
export function layerModuleEsm(): string {
  return `${banner(LAYER_MODULE_ESM)}const definePortableLayers = ${factory()};

/** Registers SubsamplePad and GroupedConv2D with this tf (the one that will call tf.loadLayersModel). */
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
  const definePortableLayers = ${factory()};
  const api = { registerNetspecLayers: (tf) => definePortableLayers(tf) };
  if (globalTf) Object.assign(api, api.registerNetspecLayers(globalTf));
  return api;
});
`;
}
