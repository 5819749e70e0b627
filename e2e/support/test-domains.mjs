// Loaded into a Popgate process with NODE_OPTIONS=--import: host names under popgate.test resolve
// to 127.0.0.1 there, as an /etc/hosts line would, so that a domain's own autoconfig document can
// be served from this machine. Every other name resolves as usual.
import { createRequire, syncBuiltinESMExports } from 'node:module';

const require = createRequire(import.meta.url);
const promises = require('node:dns/promises');
const original = promises.lookup;
promises.lookup = async (host, options) => {
  if (/(^|\.)popgate\.test\.?$/i.test(host)) {
    const entry = { address: '127.0.0.1', family: 4 };
    return options?.all ? [entry] : entry;
  }
  return original(host, options);
};
// Modules that imported `lookup` by name see the replacement too.
syncBuiltinESMExports();
