/**
 * Installs the `ws` redirect (hooks.mjs) in this process. Must run before the clients are
 * imported: suites import them dynamically after calling this.
 */
import { register } from 'node:module';
import { type WsTapState, wsTap } from './tap.js';

let installed = false;

export function installWsRedirect(): WsTapState {
  if (!installed) {
    register('./hooks.mjs', import.meta.url);
    installed = true;
  }
  return wsTap();
}
