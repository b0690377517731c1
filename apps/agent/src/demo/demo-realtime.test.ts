import { describeDemo } from '../test-support/demo-suite.js';

describeDemo('realtime');
