export { checkInvariants } from './invariantChecker';
export type { CheckReport } from './invariantChecker';
