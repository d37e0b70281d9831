// Development entry of the CloudWatch pino transport (see transport-target.ts): loads the
// TypeScript source in the worker thread through tsx's require API.
const { require: tsxRequire } = require('tsx/cjs/api');

module.exports = tsxRequire('./cloudwatch-transport.ts', __filename);
