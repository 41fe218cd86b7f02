/**
 * Sold-out hints, for the flash sale: once a reservation finds fewer units of a goods than a line
 * asks, this process remembers it for a moment, and reservations asking at least as many units
 * of that goods are refused before their transaction, so that after the last unit is gone the
 * remaining buyers do not queue for the goods row's lock only to be refused one by one.
 *
 * Only a hint, never the truth of a sale: every unit sold still goes through the conditional
 * UPDATE. Stock that comes back in this process (a release, a refund, an admin's change) drops
 * the hint at once; in the other instances it ends by itself after `hintMs`, so a unit given
 * back elsewhere is offered again at most that late.
 */
export interface LineAsk {
  goodsId: string;
  quantity: number;
}

export class SoldOutHints {
  private readonly short = new Map<string, { quantity: number; until: number }>();

  constructor(
    private readonly hintMs = 1_000,
    private readonly now: () => number = Date.now,
  ) {}

  /** A reservation of `quantity` units of the goods found too few. */
  noteShort(goodsId: string, quantity: number): void {
    const now = this.now();
    const known = this.short.get(goodsId);
    const least = known && known.until > now ? Math.min(known.quantity, quantity) : quantity;
    this.short.set(goodsId, { quantity: least, until: now + this.hintMs });
  }

  /** Units of the goods came back (or may have): the hint no longer holds. */
  forget(goodsId: string): void {
    this.short.delete(goodsId);
  }

  /** The first line asking at least as many units as a recent reservation found missing. */
  shortLine<Line extends LineAsk>(lines: Line[]): Line | undefined {
    if (this.short.size === 0) return undefined;
    const now = this.now();
    for (const line of lines) {
      const known = this.short.get(line.goodsId);
      if (!known) continue;
      if (known.until <= now) this.short.delete(line.goodsId);
      else if (line.quantity >= known.quantity) return line;
    }
    return undefined;
  }
}
