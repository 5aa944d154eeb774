import { armorTsup } from '../../tsup.config.base';

export default armorTsup({
  'index': 'src/index.ts',
  'audit': 'src/audit.ts',
  'slo': 'src/slo.ts',
});
