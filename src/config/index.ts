export { loadConfig, describeSettings } from './loadConfig';
export type { AuthConfig, Config, LifecycleConfig, LogLevel, SaslMechanism } from './loadConfig';
export { settings } from './settings';
export type { Setting } from './settings';
