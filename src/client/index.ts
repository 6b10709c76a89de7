export { CapacityClient, ResultTimeoutError } from './capacityClient';
export type { CapacityClientParts, CommandTransport, SubmitOptions } from './capacityClient';
