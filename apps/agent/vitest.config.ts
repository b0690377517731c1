import { defineConfig, mergeConfig } from 'vitest/config';
import { sharedConfig } from '../../vitest.shared.ts';

// The app's tests mostly wait on real time (calls paced like a phone line), not on the CPU: run
// the files side by side so the suite takes as long as its longest call.
export default mergeConfig(sharedConfig, defineConfig({ test: { maxWorkers: 4 } }));
