import { armorTsup } from '../../tsup.config.base';

export default armorTsup({
  'index': 'src/index.ts',
  'ip': 'src/ip.ts',
  'redis': 'src/redis.ts',
  'hmac': 'src/hmac.ts',
  'hmac-node': 'src/hmac/node.ts',
  'body': 'src/body.ts',
});
