/** Differences planted in a day's bill through the control API (the gateway's own amount type). */
export interface BillTampering<Amount> {
  /** Trades left out of the bill. */
  drop?: string[];
  /** Rows of trades the merchant never created. */
  add?: { outTradeNo: string; amount: Amount }[];
  /** Other amounts for trades of the bill. */
  amounts?: Record<string, Amount>;
}

/** Tamperings of a day add up: `change` joins what was planted before. */
export function addTampering<Amount>(current: BillTampering<Amount> | undefined, change: BillTampering<Amount>): BillTampering<Amount> {
  return {
    drop: [...(current?.drop ?? []), ...(change.drop ?? [])],
    add: [...(current?.add ?? []), ...(change.add ?? [])],
    amounts: { ...current?.amounts, ...change.amounts },
  };
}
