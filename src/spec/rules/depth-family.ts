import { didYouMean } from '../../diagnostics/suggest';
import { familyTable } from '../tables';
import { DepthRule } from './depth-rule';

/** `depth` is only a number until a family's table or formula says what it means. */
export const depthFamily: DepthRule = {
  id: 'depth-family',
  description: 'depth comes with a family that specs/families.yaml knows.',
  check({ familyName, family, report }) {
    const known = [...familyTable().keys()];
    if (familyName === undefined) {
      report('depth-without-family', '`depth` needs a `family` whose table gives the blocks per stage', '/depth',
        `add family: imagenet (or ${known.filter((f) => f !== 'imagenet').join(', ')}), or extends: base/imagenet`);
    } else if (!family) {
      report('unknown-family', `unknown family '${familyName}'`, '/family', didYouMean(familyName, known) ?? `known families: ${known.join(', ')}`);
    }
  },
};
