/** Child process entry of the concurrency suite: runs the ramps and sends the results back. */
import { runRamps } from './concurrency.js';

const results = await runRamps();
process.send?.(results, () => process.exit(0));
