export { runInspect, decodeFrame, type InspectOptions, type InspectIo } from './inspect.js';
export { compileFilter, markerBytes, type FilterOptions, type FrameFilter } from './filter.js';
export { frameJson } from './format-json.js';
export { layersText, relTime, tcpFlagsText } from './format-text.js';
export { ShapeStats } from './stats.js';
export type { InspectFrame, InspectLayer, InspectRawLayer } from './types.js';
