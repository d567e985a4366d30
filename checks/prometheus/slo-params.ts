import { z } from 'zod';

// What the SLO kinds (prometheus.burn-rate, prometheus.error-budget) read the same way.

/** Where a query's range goes; each kind replaces it with its window(s). */
export const WINDOW_PLACEHOLDER = '$window';

export const PROMQL_DURATION = /^(\d+(ms|s|m|h|d|w|y))+$/;

export const objectiveParam = z
  .number()
  .gt(0, 'objective is a fraction such as 0.999')
  .lt(1, 'objective is a fraction below 1, such as 0.999 for 99.9%')
  .describe('The SLO target as a fraction: 0.999 for 99.9 %. The error budget is 1 − objective.');
