export { formatCents, minCents, normaliseAmount, parseCents } from './money';
