export { stackUp, stackDown, stackStatus, readStackLog } from './stack';
export type { StackStatus, ComponentStatus, UpResult } from './stack';
export { versions as stackVersions } from './artifacts';
