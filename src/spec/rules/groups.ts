import { isBottleneck, SemanticRule, stageSetting } from './rule';

/**
 * Grouped convs need channel counts divisible by the groups; basic blocks take neither groups nor base_width
 * (torchvision's BasicBlock rejects them too).
 */
export const groupsDivisibility: SemanticRule = {
  id: 'groups',
  description: 'groups divide the grouped conv channels; basic blocks have groups 1 and base_width 64.',
  check({ spec, report: reportAny }) {
    // A network-wide setting is wrong once, not once per stage that inherits it.
    const reported = new Set<string>();
    const report = (code: string, message: string, pointer: string, hint?: string) => {
      if (reported.has(pointer)) return;
      reported.add(pointer);
      reportAny(code, message, pointer, hint);
    };
    spec.stages.forEach((stage, s) => {
      const kind = stageSetting(spec, stage, 'block');
      const groups = stageSetting(spec, stage, 'groups');
      const baseWidth = stageSetting(spec, stage, 'baseWidth');
      const where = stage.groups !== undefined ? `/stages/${s}/groups` : '/groups';
      if (!isBottleneck(kind)) {
        if (groups !== 1) report('groups', `${kind} blocks do not support groups (got ${groups})`, where, 'use bottleneck blocks for ResNeXt');
        if (baseWidth !== 64) report('groups', `${kind} blocks do not support base_width (got ${baseWidth})`, stage.baseWidth !== undefined ? `/stages/${s}/base_width` : '/base_width', 'use bottleneck blocks for wide or ResNeXt variants');
        return;
      }
      const lists = [stage.filters, stage.identityFilters].filter(Array.isArray) as number[][];
      for (const list of lists) {
        const [inner, mid] = list;
        if (inner % groups !== 0 || mid % groups !== 0) {
          report('groups', `the grouped 3×3 conv maps ${inner} to ${mid} channels, which ${groups} groups do not divide`, `/stages/${s}/filters`,
            `use multiples of ${groups}`);
        }
      }
    });
  },
};
