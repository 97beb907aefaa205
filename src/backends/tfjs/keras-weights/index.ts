/** Keras weight files in: Keras 2 HDF5, Keras 3 `.weights.h5` and `.keras`, matched to a netspec model. */
export { isKerasFile, KerasLayer, KerasWeight, KerasWeightFile, readKerasWeights } from './read';
export { KerasMatch, matchKerasWeights } from './match';
export { kerasInputError } from './input-contract';
