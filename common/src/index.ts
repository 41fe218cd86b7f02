export * from './config';
export * from './db';
export * from './errors';
export * from './ids';
export * from './log';
export * from './mq';
export * from './zk';
