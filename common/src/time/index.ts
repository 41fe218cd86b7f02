export { fromAlipayTime, toAlipayTime } from './alipay-time';
