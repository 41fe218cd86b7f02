/**
 * Defects planted on purpose by a test harness (SHOP_PLANTED_DEFECT, a comma-separated list of
 * names the harness and the code agree on): the platform only reads the list and refuses to
 * start with one in production. The names and their meaning are the shop's (@shop/contracts).
 */
const planted = new Set((process.env.SHOP_PLANTED_DEFECT ?? '').split(',').filter(Boolean));

export function isPlantedDefect(name: string): boolean {
  return planted.has(name);
}

/** For start-up checks: the names planted in this process. */
export function plantedDefects(): string[] {
  return [...planted];
}
