// Containerlab topology files: deployed from the file alone (a stand-in for containerlab), and
// adopted by fabric (attach/detach) whoever deployed them.
export { deployFromFile, bridgesScript } from './deploy.js';
export { destroyFromFile } from './destroy.js';
export { readClabFile } from './parse.js';
export { attachLab, ATTACHED_RUNTIME } from './attach.js';
export { detachLab } from './attached.js';
