import { NamingScheme } from '../../spec/types';

/** What each scheme calls a stage: Keras `conv2`…, torch `layer1`…, Caffe `res2`…. */
export function stageName(scheme: NamingScheme, stage: number): string {
  switch (scheme) {
    case 'keras': return `conv${stage + 2}`;
    case 'torch': return `layer${stage + 1}`;
    case 'caffe': return `res${stage + 2}`;
  }
}
