export { CapacityClient, ResultTimeoutError } from './capacityClient';
export type { SubmitOptions } from './capacityClient';
