export * from './admin';
export * from './accounts';
export * from './auth';
export * from './errors';
export * from './events';
export * from './health';
export * from './messages';
